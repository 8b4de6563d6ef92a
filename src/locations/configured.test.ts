import { describe, expect, it } from "vitest";
import { locationsFromConfig, locationsFromText } from "./configured.ts";
import { DEFAULT_LOCATIONS, LocationError, SEOUL } from "./locations.ts";

describe("configured locations", () => {
  it("defaults to seoul only when nothing is configured", () => {
    expect(locationsFromText(undefined)).toBe(DEFAULT_LOCATIONS);
    expect(locationsFromText("  ")).toBe(DEFAULT_LOCATIONS);
  });

  it("reads a comma list of station ids and numbers", () => {
    const list = locationsFromText("seoul, busan,185");
    expect(list.map((l) => [l.id, l.asosStationId])).toEqual([
      ["seoul", 108],
      ["busan", 159],
      ["jeju-gosan", 185],
    ]);
    expect(list[0]).toBe(SEOUL);
  });

  it("reads JSON with custom points: a given station, or the nearest one", () => {
    const list = locationsFromText(
      JSON.stringify({
        locations: [
          "daegu",
          { id: "haeundae", name: "Haeundae beach", lat: 35.1587, lon: 129.1604 },
          { id: "gangnam", name: "Gangnam", lat: 37.4979, lon: 127.0276, station: "seoul" },
        ],
      }),
    );
    expect(list.map((l) => [l.id, l.asosStationId])).toEqual([
      ["daegu", 143],
      ["haeundae", 159],
      ["gangnam", 108],
    ]);
    expect(list[1]).toMatchObject({ name: "Haeundae beach", nx: 99, ny: 75 });
    expect(locationsFromConfig(["ulsan"], "x")).toHaveLength(1);
  });

  it.each([
    { text: "busn", message: /LOCATIONS: entry 1: unknown ASOS station "busn"; did you mean busan, buan\?/ },
    { text: "seoul,,busan", message: /an empty id in the comma list/ },
    { text: "seoul,seoul", message: /entry 2: location id "seoul" is listed twice/ },
    { text: "[1,", message: /LOCATIONS: not valid JSON/ },
    { text: "[]", message: /the list of locations is empty/ },
    { text: '{"places":[]}', message: /expected a list of station ids and \{id, name, lat, lon, station\?\} points, or \{"locations": \[...\]\}/ },
    { text: "[true]", message: /entry 1: expected a station id or number/ },
    { text: '[{"id":"x","name":"X","lat":37.5}]', message: /entry 1: expected a station id or number, or \{id, name, lat, lon, station\?\}: lon: / },
    { text: '[{"id":"x","name":"X","lat":37.5,"lon":127,"station":"nowhere"}]', message: /unknown ASOS station "nowhere"/ },
    {
      text: '[{"id":"London","name":"L","lat":51.5,"lon":-0.12,"station":"seoul"}]',
      message: /entry 1: invalid location "London": id: id must be a lowercase slug/,
    },
    { text: '[{"id":"london","name":"L","lat":51.5,"lon":-0.12,"station":"seoul"}]', message: /outside the KMA forecast grid/ },
  ])("rejects $text with a one-line error", ({ text, message }: { text: string; message: RegExp }) => {
    let caught: unknown;
    try {
      locationsFromText(text);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(LocationError);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).not.toContain("\n");
  });
});
