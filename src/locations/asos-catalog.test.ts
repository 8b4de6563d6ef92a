import { describe, expect, it } from "vitest";
import { ASOS_STATIONS, findStation, haversineKm, nearestStation, stationById, stationLocation } from "./asos-catalog.ts";
import { latLonToGrid } from "./kma-grid.ts";
import { LOCATION_ID_PATTERN, SEOUL } from "./locations.ts";

describe("the ASOS station catalog", () => {
  it("holds the 96 stations with unique ids and numbers, valid slugs and their grid points", () => {
    expect(ASOS_STATIONS).toHaveLength(96);
    expect(new Set(ASOS_STATIONS.map((s) => s.id)).size).toBe(96);
    expect(new Set(ASOS_STATIONS.map((s) => s.stnId)).size).toBe(96);
    for (const s of ASOS_STATIONS) {
      expect(s.id).toMatch(LOCATION_ID_PATTERN);
      expect({ nx: s.nx, ny: s.ny }).toEqual(latLonToGrid(s.lat, s.lon));
    }
  });

  it("uses the names people write for the big cities", () => {
    const ids = Object.fromEntries(ASOS_STATIONS.map((s) => [s.stnId, s.id]));
    expect([108, 159, 143, 112, 156, 133, 152, 184, 185, 188].map((n) => ids[n])).toEqual([
      "seoul",
      "busan",
      "daegu",
      "incheon",
      "gwangju",
      "daejeon",
      "ulsan",
      "jeju",
      "jeju-gosan",
      "jeju-seongsan",
    ]);
    expect([162, 288, 264, 217, 253].map((n) => ids[n])).toEqual(["tongyeong", "miryang", "hamyang", "jeongseon", "gimhae"]);
  });

  it("finds a station by id or number", () => {
    expect(stationById("busan")?.stnId).toBe(159);
    expect(findStation("159")?.id).toBe("busan");
    expect(findStation(185)?.id).toBe("jeju-gosan");
    expect(findStation(" Busan ")?.id).toBe("busan");
    expect(findStation("tokyo")).toBeUndefined();
  });

  it("measures great-circle distance: one degree of the equator is 111.195 km, Seoul to Busan station ~331 km", () => {
    expect(haversineKm({ lat: 0, lon: 0 }, { lat: 0, lon: 1 })).toBeCloseTo(111.195, 3);
    expect(haversineKm({ lat: 0, lon: 0 }, { lat: 1, lon: 0 })).toBeCloseTo(111.195, 3);
    const d = haversineKm(stationById("seoul")!, stationById("busan")!);
    expect(d).toBeGreaterThan(325);
    expect(d).toBeLessThan(335);
    expect(haversineKm(SEOUL, SEOUL)).toBe(0);
  });

  it("finds the nearest station to a point", () => {
    // Haeundae beach: Busan (159) is ~10 km away, Bukbusan (296) ~18 km
    const n = nearestStation({ lat: 35.1587, lon: 129.1604 });
    expect(n.station.id).toBe("busan");
    expect(n.distanceKm).toBeGreaterThan(10);
    expect(n.distanceKm).toBeLessThan(14);
    expect(nearestStation({ lat: 33.3, lon: 126.17 }).station.id).toBe("jeju-gosan");
  });

  it("turns a station into a location with its ASOS number; seoul stays the built-in City Hall point", () => {
    expect(stationLocation(stationById("busan")!)).toEqual({
      id: "busan",
      name: "Busan (부산)",
      lat: 35.10468,
      lon: 129.03203,
      nx: 97,
      ny: 74,
      asosStationId: 159,
    });
    expect(stationLocation(stationById("seoul")!)).toBe(SEOUL);
  });
});
