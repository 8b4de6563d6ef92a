import { describe, expect, it } from "vitest";
import { ASOS_STATIONS, stationLocation } from "./asos-catalog.ts";
import { locationsFromText } from "./configured.ts";
import { LocationError } from "./locations.ts";
import { LocationLookupError, closeMatches, resolveLocationIds, resolvePoints } from "./lookup.ts";

const configured = locationsFromText("seoul,busan,jeju,jeju-gosan,daegu,gwangju");

function caught(f: () => unknown): LocationLookupError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LocationLookupError);
    expect(e).toBeInstanceOf(LocationError);
    return e as LocationLookupError;
  }
  throw new Error("did not throw");
}

describe("closeMatches", () => {
  it("suggests ids within a small edit distance or sharing a prefix, nearest first", () => {
    const ids = ASOS_STATIONS.map((s) => s.id);
    expect(closeMatches("busn", ids)[0]).toBe("busan");
    expect(closeMatches("pusan", ids)[0]).toBe("busan");
    expect(closeMatches("jeju-", ids).sort()).toEqual(["jeju", "jeju-gosan", "jeju-seongsan"]);
    expect(closeMatches("tokyo", ["seoul", "busan"])).toEqual([]);
  });
});

describe("resolveLocationIds", () => {
  it("returns the configured locations in the order asked, each once, case-insensitive", () => {
    expect(resolveLocationIds("busan, Seoul,jeju,busan", configured).map((l) => l.id)).toEqual(["busan", "seoul", "jeju"]);
  });

  it("names unknown ids with close matches, and says when an id is a station not configured", () => {
    const e = caught(() => resolveLocationIds("seoul,busn,ulsan", configured));
    expect(e.code).toBe("unknown_location");
    expect(e.message).toBe(
      'unknown locations "busn" (did you mean busan?), "ulsan"; ulsan is an ASOS station not configured on this server (LOCATIONS); GET /v1/locations lists them',
    );
    expect(e.details).toEqual({ unknown: ["busn", "ulsan"], suggestions: { busn: ["busan"], ulsan: [] }, stations_not_configured: ["ulsan"] });
  });

  it("allows up to 100 locations", () => {
    const all = locationsFromText(ASOS_STATIONS.map((s) => s.id).join(","));
    expect(resolveLocationIds(all.map((l) => l.id).join(","), all)).toHaveLength(96);
    const e = caught(() => resolveLocationIds(all.map((l) => l.id).join(","), all, 50));
    expect(e).toMatchObject({ code: "too_many_locations", message: "96 locations asked for; at most 50 per request" });
    expect(caught(() => resolveLocationIds("seoul,,busan", configured)).message).toMatch(/an empty item/);
  });
});

describe("resolvePoints", () => {
  it("gives each point its KMA grid point and the nearest location with data, with the distance", () => {
    const points = resolvePoints("35.1587,37.566535", "129.1604,126.977969", configured);
    expect(points[0]).toMatchObject({ lat: 35.1587, lon: 129.1604, nx: 99, ny: 75, nearest: { location: { id: "busan" } } });
    expect(points[0]!.nearest.distanceKm).toBeCloseTo(13.1, 1);
    expect(points[1]).toMatchObject({ nx: 60, ny: 127, nearest: { location: { id: "seoul" }, distanceKm: 0 } });
  });

  it("only considers the candidates given (the locations with data)", () => {
    const withData = [stationLocation(ASOS_STATIONS.find((s) => s.id === "daegu")!)];
    expect(resolvePoints("35.1587", "129.1604", withData)[0]!.nearest.location.id).toBe("daegu");
    expect(caught(() => resolvePoints("35.1", "129.0", [])).code).toBe("no_station_data");
  });

  it.each([
    { lat: "35.1,36", lon: "129.0", code: "invalid_request", message: /2 latitudes and 1 longitudes/ },
    { lat: "35.1", lon: "abc", code: "invalid_request", message: /longitude: "abc" is not a number/ },
    { lat: "35.1", lon: "0x10", code: "invalid_request", message: /longitude: "0x10" is not a number/ },
    { lat: "51.5", lon: "-0.12", code: "outside_grid", message: /outside the KMA forecast grid/ },
    { lat: "95", lon: "127", code: "outside_grid", message: /invalid coordinates/ },
  ])("rejects latitude=$lat longitude=$lon", ({ lat, lon, code, message }: { lat: string; lon: string; code: string; message: RegExp }) => {
    const e = caught(() => resolvePoints(lat, lon, configured));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });

  it("allows up to 100 points", () => {
    const lats = Array.from({ length: 101 }, () => "35.1").join(",");
    const lons = Array.from({ length: 101 }, () => "129.0").join(",");
    expect(caught(() => resolvePoints(lats, lons, configured)).code).toBe("too_many_locations");
    expect(resolvePoints(lats.slice(5), lons.slice(6), configured)).toHaveLength(100);
  });
});
