import { describe, expect, it } from "vitest";
import { latLonToGrid } from "./kma-grid.ts";
import { DEFAULT_LOCATIONS, LocationError, SEOUL, addLocation, createLocation, getLocation } from "./locations.ts";

describe("locations", () => {
  it("has seoul as the default: grid 60/127, ASOS 108, at Seoul City Hall", () => {
    expect(DEFAULT_LOCATIONS.map((l) => l.id)).toEqual(["seoul"]);
    expect(SEOUL).toMatchObject({ id: "seoul", nx: 60, ny: 127, asosStationId: 108 });
    expect(SEOUL.lat).toBeCloseTo(37.5665, 3);
    expect(SEOUL.lon).toBeCloseTo(126.978, 3);
    expect(getLocation(DEFAULT_LOCATIONS, "seoul")).toBe(SEOUL);
  });

  it("computes the grid point of a new location", () => {
    const loc = createLocation({ id: "sindaebang", name: "Sindaebang", lat: 37.488201, lon: 126.92981 });
    expect(loc).toEqual({ id: "sindaebang", name: "Sindaebang", lat: 37.488201, lon: 126.92981, nx: 59, ny: 125 });
    expect("asosStationId" in loc).toBe(false);
  });

  it("keeps an optional ASOS station id", () => {
    const loc = createLocation({ id: "busan", name: "Busan", lat: 35.1047, lon: 129.032, asosStationId: 159 });
    expect(loc.asosStationId).toBe(159);
    expect({ nx: loc.nx, ny: loc.ny }).toEqual(latLonToGrid(35.1047, 129.032));
  });

  it("adds to a list without changing it and rejects duplicate ids", () => {
    const list = addLocation(DEFAULT_LOCATIONS, { id: "incheon", name: "Incheon", lat: 37.4563, lon: 126.7052 });
    expect(list.map((l) => l.id)).toEqual(["seoul", "incheon"]);
    expect(DEFAULT_LOCATIONS).toHaveLength(1);
    expect(() => addLocation(list, { id: "incheon", name: "Again", lat: 37.4, lon: 126.7 })).toThrow('location id "incheon" already exists');
  });

  it.each([
    { input: { id: "Seoul", name: "x", lat: 37.5, lon: 127 }, message: /id must be a lowercase slug/ },
    { input: { id: "seoul city", name: "x", lat: 37.5, lon: 127 }, message: /id must be a lowercase slug/ },
    { input: { id: "1seoul", name: "x", lat: 37.5, lon: 127 }, message: /id must be a lowercase slug/ },
    { input: { id: "a--b", name: "x", lat: 37.5, lon: 127 }, message: /id must be a lowercase slug/ },
    { input: { id: "", name: "x", lat: 37.5, lon: 127 }, message: /id is empty/ },
    { input: { id: "ok", name: " ", lat: 37.5, lon: 127 }, message: /name: name is empty/ },
    { input: { id: "ok", name: "x", lat: 95, lon: 127 }, message: /lat: lat must be <= 90/ },
    { input: { id: "ok", name: "x", lat: "37.5", lon: 127 }, message: /lat: / },
    { input: { id: "ok", name: "x", lat: 37.5, lon: 127, asosStationId: 1.5 }, message: /asosStationId must be an integer/ },
    { input: { id: "ok", name: "x", lat: 37.5, lon: 127, extra: 1 }, message: /extra/ },
    { input: { id: "london", name: "London", lat: 51.5074, lon: -0.1278 }, message: /invalid location "london": .*outside the KMA forecast grid/ },
  ])("rejects bad input with a one-line error naming the problem", ({ input, message }: { input: unknown; message: RegExp }) => {
    let caught: unknown;
    try {
      createLocation(input);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(LocationError);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).not.toContain("\n");
  });

  it("names the known ids when a location is unknown", () => {
    expect(() => getLocation(DEFAULT_LOCATIONS, "tokyo")).toThrow('unknown location "tokyo"; known: seoul');
  });
});
