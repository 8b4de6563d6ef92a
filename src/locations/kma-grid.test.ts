import { describe, expect, it } from "vitest";
import { GridRangeError, KMA_GRID, gridToLatLon, isOnGrid, latLonToGrid, projectToGrid } from "./kma-grid.ts";

// Great-circle distance in km, to bound round-trip error.
function km(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const r = Math.PI / 180;
  const h = Math.sin(((b.lat - a.lat) * r) / 2) ** 2 + Math.cos(a.lat * r) * Math.cos(b.lat * r) * Math.sin(((b.lon - a.lon) * r) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

describe("KMA grid conversion", () => {
  it("maps the known points from the KMA guide", () => {
    expect(latLonToGrid(37.566535, 126.977969)).toEqual({ nx: 60, ny: 127 }); // Seoul City Hall
    expect(latLonToGrid(37.488201, 126.92981)).toEqual({ nx: 59, ny: 125 });
  });

  it("puts the projection origin (38N, 126E) at grid point (43, 136)", () => {
    const p = projectToGrid(38, 126);
    expect(p.x).toBeCloseTo(43, 9);
    expect(p.y).toBeCloseTo(136, 9);
    expect(gridToLatLon(43, 136).lat).toBeCloseTo(38, 9);
    expect(gridToLatLon(43, 136).lon).toBeCloseTo(126, 9);
  });

  it("inverts grid point (60, 127) to its cell centre near Seoul City Hall", () => {
    const c = gridToLatLon(60, 127);
    expect(c.lat).toBeCloseTo(37.579871, 5);
    expect(c.lon).toBeCloseTo(126.989352, 5);
    expect(km(c, { lat: 37.566535, lon: 126.977969 })).toBeLessThan(2.5);
  });

  it("round-trips every grid point: grid -> lat/lon -> the same grid point", () => {
    let checked = 0;
    for (let nx = 1; nx <= KMA_GRID.nxMax; nx++) {
      for (let ny = 1; ny <= KMA_GRID.nyMax; ny++) {
        const { lat, lon } = gridToLatLon(nx, ny);
        const back = latLonToGrid(lat, lon);
        if (back.nx !== nx || back.ny !== ny) throw new Error(`round trip failed at ${nx},${ny} -> ${back.nx},${back.ny}`);
        checked++;
      }
    }
    expect(checked).toBe(149 * 253);
  });

  it("round-trips lat/lon -> grid -> cell centre within half a cell diagonal", () => {
    const points = [
      { lat: 37.566535, lon: 126.977969 }, // Seoul
      { lat: 35.179554, lon: 129.075642 }, // Busan
      { lat: 33.499621, lon: 126.531188 }, // Jeju
      { lat: 37.751853, lon: 128.876057 }, // Gangneung
      { lat: 37.4563, lon: 126.7052 }, // Incheon
    ];
    for (const p of points) {
      const g = latLonToGrid(p.lat, p.lon);
      expect(km(p, gridToLatLon(g.nx, g.ny))).toBeLessThan((5 * Math.SQRT2) / 2 + 0.05);
    }
  });

  it("rounds half up like KMA (floor(v + 0.5))", () => {
    const p = projectToGrid(37.566535, 126.977969);
    expect(Math.floor(p.x + 0.5)).toBe(60);
    expect(Math.floor(p.y + 0.5)).toBe(127);
  });

  it("rejects points outside the grid and bad coordinates with a clear error", () => {
    expect(() => latLonToGrid(51.5074, -0.1278)).toThrow(GridRangeError); // London
    expect(() => latLonToGrid(51.5074, -0.1278)).toThrow(/outside the KMA forecast grid/);
    expect(() => latLonToGrid(Number.NaN, 127)).toThrow(/invalid coordinates/);
    expect(() => latLonToGrid(91, 127)).toThrow(/invalid coordinates/);
    expect(() => gridToLatLon(0, 127)).toThrow(/not on the KMA grid/);
    expect(() => gridToLatLon(150, 1)).toThrow(/not on the KMA grid/);
    expect(() => gridToLatLon(60.5, 127)).toThrow(/not on the KMA grid/);
  });

  it("knows the grid extent", () => {
    expect(isOnGrid(1, 1)).toBe(true);
    expect(isOnGrid(149, 253)).toBe(true);
    expect(isOnGrid(149, 254)).toBe(false);
    expect(isOnGrid(0, 1)).toBe(false);
  });
});
