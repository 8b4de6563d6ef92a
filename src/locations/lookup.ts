// Resolving what a request names into locations, without a runtime or a database:
//   resolveLocationIds("seoul,busan,jeju", configured)     -> the configured locations, in order
//   resolvePoints("35.1,33.5", "129.0,126.5", candidates)  -> per point: the KMA grid point and the
//                                                            nearest candidate (a location with data)
// Bad input throws LocationLookupError (HTTP 400) naming the problem: unknown ids with their close
// matches, too many locations, unequal coordinate lists, points off the KMA grid.
import { distance } from "fastest-levenshtein";
import { ASOS_STATIONS, haversineKm, nearest, stationById } from "./asos-catalog.ts";
import { GridRangeError, latLonToGrid } from "./kma-grid.ts";
import { LocationError } from "./locations.ts";
import type { Location } from "./locations.ts";

/** The most locations one request may name. */
export const MAX_LOCATIONS_PER_REQUEST = 100;

/** A request named locations wrongly. `details` is safe to return to the caller. */
export class LocationLookupError extends LocationError {
  override name = "LocationLookupError";
  readonly code: string;
  readonly details: Record<string, unknown>;
  constructor(code: string, message: string, details: Record<string, unknown>) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

/**
 * Up to `max` of `candidates` closest to `wanted` by edit distance (at most a third of the longer
 * string, at least 1), nearest first (then the longest common prefix); prefix matches (`jeju` for `jeju-gosan`) count as close.
 */
export function closeMatches(wanted: string, candidates: readonly string[], max = 3): string[] {
  const w = wanted.trim().toLowerCase();
  return candidates
    .map((c) => ({ c, d: c.startsWith(w) || w.startsWith(c) ? Math.min(1, distance(w, c)) : distance(w, c) }))
    .filter(({ c, d }) => d <= Math.max(1, Math.floor(Math.max(c.length, w.length) / 3)))
    .sort((a, b) => a.d - b.d || commonPrefix(b.c, w) - commonPrefix(a.c, w) || a.c.localeCompare(b.c))
    .slice(0, max)
    .map(({ c }) => c);
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

function splitList(param: string, what: string): string[] {
  const items = param.split(",").map((s) => s.trim());
  if (items.some((s) => s === "")) throw new LocationLookupError("invalid_request", `${what}: an empty item in "${param}"`, { [what]: param });
  return items;
}

/** The configured locations named by a comma list, in the order given, duplicates once. */
export function resolveLocationIds(param: string, configured: readonly Location[], max = MAX_LOCATIONS_PER_REQUEST): Location[] {
  const ids = [...new Set(splitList(param, "location").map((s) => s.toLowerCase()))];
  if (ids.length > max)
    throw new LocationLookupError("too_many_locations", `${ids.length} locations asked for; at most ${max} per request`, { count: ids.length, max });
  const byId = new Map(configured.map((l) => [l.id, l]));
  const unknown = ids.filter((id) => !byId.has(id));
  if (unknown.length > 0) {
    const known = configured.map((l) => l.id);
    const suggestions = Object.fromEntries(unknown.map((id) => [id, closeMatches(id, known)]));
    const stationsNotConfigured = unknown.filter((id) => stationById(id) !== undefined);
    const parts = unknown.map((id) => {
      const s = suggestions[id]!;
      return `"${id}"${s.length ? ` (did you mean ${s.join(", ")}?)` : ""}`;
    });
    const notConfigured = stationsNotConfigured.length
      ? `; ${stationsNotConfigured.join(", ")} ${stationsNotConfigured.length === 1 ? "is an ASOS station" : "are ASOS stations"} not configured on this server (LOCATIONS)`
      : "";
    throw new LocationLookupError(
      "unknown_location",
      `unknown location${unknown.length > 1 ? "s" : ""} ${parts.join(", ")}${notConfigured}; GET /v1/locations lists them`,
      {
        unknown,
        suggestions,
        stations_not_configured: stationsNotConfigured,
      },
    );
  }
  return ids.map((id) => byId.get(id)!);
}

export interface ResolvedPoint {
  lat: number;
  lon: number;
  /** The KMA 5 km grid point the coordinates fall in. */
  nx: number;
  ny: number;
  /** The nearest candidate location (one with data) and how far it is. */
  nearest: { location: Location; distanceKm: number };
}

function numbers(param: string, what: "latitude" | "longitude"): number[] {
  return splitList(param, what).map((s) => {
    const v = Number(s);
    if (!Number.isFinite(v) || !/^[+-]?(\d+\.?\d*|\.\d+)$/.test(s))
      throw new LocationLookupError("invalid_request", `${what}: "${s}" is not a number in degrees`, { [what]: s });
    return v;
  });
}

/**
 * Comma lists of latitudes and longitudes (same length, up to `max`) -> per point its KMA grid point
 * and the nearest of `candidates` (the locations that have data; the caller decides which).
 */
export function resolvePoints(latParam: string, lonParam: string, candidates: readonly Location[], max = MAX_LOCATIONS_PER_REQUEST): ResolvedPoint[] {
  const lats = numbers(latParam, "latitude");
  const lons = numbers(lonParam, "longitude");
  if (lats.length !== lons.length) {
    throw new LocationLookupError("invalid_request", `${lats.length} latitudes and ${lons.length} longitudes: give one longitude per latitude`, {
      latitudes: lats.length,
      longitudes: lons.length,
    });
  }
  if (lats.length > max)
    throw new LocationLookupError("too_many_locations", `${lats.length} points asked for; at most ${max} per request`, { count: lats.length, max });
  if (candidates.length === 0) throw new LocationLookupError("no_station_data", "no location has data to answer for a point yet", {});
  return lats.map((lat, i) => {
    const lon = lons[i]!;
    let grid;
    try {
      grid = latLonToGrid(lat, lon);
    } catch (e) {
      if (e instanceof GridRangeError) throw new LocationLookupError("outside_grid", e.message, { latitude: lat, longitude: lon });
      throw e;
    }
    const n = nearest({ lat, lon }, candidates)!;
    return { lat, lon, nx: grid.nx, ny: grid.ny, nearest: { location: n.item, distanceKm: n.distanceKm } };
  });
}

/** Distance in km from a location to its ASOS station (0 for a station's own location). */
export function stationDistanceKm(location: Location): number | null {
  if (location.asosStationId === undefined) return null;
  const s = ASOS_STATIONS.find((x) => x.stnId === location.asosStationId);
  return s ? haversineKm(location, s) : null;
}
