// The configured forecast locations: a list of catalog station ids and custom points, read from a
// JSON file (`--locations <file>` / NALSSI_LOCATIONS_FILE on Node) or the LOCATIONS variable (JSON or
// a comma list, on Workers). Without configuration the list is DEFAULT_LOCATIONS (seoul only).
//
//   ["seoul", "busan", "jeju-gosan", 143,
//    {"id": "haeundae", "name": "Haeundae beach", "lat": 35.1587, "lon": 129.1604},
//    {"id": "gangnam", "name": "Gangnam", "lat": 37.4979, "lon": 127.0276, "station": "seoul"}]
//
// or the same array as {"locations": [...]}. A string or number entry is a station of the catalog (by
// romanized id or station number); an object is a custom point whose observations come from
// `station` (id or number) or, when it is left out, from the nearest catalog station.
import { z } from "zod";
import { ASOS_STATIONS, findStation, nearestStation, stationLocation } from "./asos-catalog.ts";
import { closeMatches } from "./lookup.ts";
import { DEFAULT_LOCATIONS, LocationError, createLocation } from "./locations.ts";
import type { Location } from "./locations.ts";

const customPoint = z.strictObject({
  id: z.string(),
  name: z.string(),
  lat: z.number(),
  lon: z.number(),
  /** The ASOS station (romanized id or number) whose observations stand for this point. */
  station: z.union([z.string(), z.number()]).optional(),
});

/** A list of entries, or {"locations": [...]}. */
export type LocationsConfig = (string | number | z.input<typeof customPoint>)[] | { locations: (string | number | z.input<typeof customPoint>)[] };

/** Up to this many configured locations (the ingest and the forecast's multi-location limit are sized for it). */
export const MAX_CONFIGURED_LOCATIONS = 500;

function unknownStation(ref: string | number, where: string): LocationError {
  const hint =
    typeof ref === "string"
      ? closeMatches(
          ref,
          ASOS_STATIONS.map((s) => s.id),
        )
      : [];
  return new LocationError(
    `${where}: unknown ASOS station "${ref}"${hint.length ? `; did you mean ${hint.join(", ")}?` : ""} (\`nalssi locations --all\` lists the ${ASOS_STATIONS.length} stations)`,
  );
}

/** Validates a parsed configuration (from JSON) into locations. `source` names it in errors. */
export function locationsFromConfig(value: unknown, source: string): Location[] {
  const list: unknown = Array.isArray(value)
    ? value
    : typeof value === "object" && value !== null && Object.keys(value).length === 1
      ? (value as { locations?: unknown }).locations
      : undefined;
  if (!Array.isArray(list))
    throw new LocationError(`${source}: expected a list of station ids and {id, name, lat, lon, station?} points, or {"locations": [...]}`);
  const entries: unknown[] = list;
  if (entries.length === 0) throw new LocationError(`${source}: the list of locations is empty`);
  if (entries.length > MAX_CONFIGURED_LOCATIONS) throw new LocationError(`${source}: ${entries.length} locations; at most ${MAX_CONFIGURED_LOCATIONS}`);
  const out: Location[] = [];
  entries.forEach((raw, i) => {
    const where = `${source}: entry ${i + 1}`;
    let location: Location;
    if (typeof raw === "string" || typeof raw === "number") {
      const e = raw;
      const station = findStation(e);
      if (!station) throw unknownStation(e, where);
      location = stationLocation(station);
    } else {
      const parsed = customPoint.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new LocationError(
          `${where}: expected a station id or number, or {id, name, lat, lon, station?}: ${issue.path.length ? `${issue.path.map(String).join(".")}: ` : ""}${issue.message}`,
        );
      }
      const e = parsed.data;
      let stnId: number;
      if (e.station !== undefined) {
        const station = findStation(e.station);
        if (!station) throw unknownStation(e.station, where);
        stnId = station.stnId;
      } else {
        if (!Number.isFinite(e.lat) || !Number.isFinite(e.lon)) throw new LocationError(`${where}: invalid location "${e.id}": lat and lon must be numbers`);
        stnId = nearestStation(e).station.stnId;
      }
      try {
        location = createLocation({ id: e.id, name: e.name, lat: e.lat, lon: e.lon, asosStationId: stnId });
      } catch (x) {
        throw new LocationError(`${where}: ${(x as Error).message}`);
      }
    }
    if (out.some((l) => l.id === location.id)) throw new LocationError(`${where}: location id "${location.id}" is listed twice`);
    out.push(location);
  });
  return out;
}

/**
 * The LOCATIONS variable: JSON (a list or {"locations": [...]}) or a comma list of station ids and
 * numbers (`seoul,busan,jeju`). Empty or unset: DEFAULT_LOCATIONS.
 */
export function locationsFromText(text: string | undefined, source = "LOCATIONS"): readonly Location[] {
  const t = text?.trim() ?? "";
  if (t === "") return DEFAULT_LOCATIONS;
  if (t.startsWith("[") || t.startsWith("{")) {
    let value: unknown;
    try {
      value = JSON.parse(t);
    } catch (e) {
      throw new LocationError(`${source}: not valid JSON: ${(e as Error).message}`);
    }
    return locationsFromConfig(value, source);
  }
  const ids = t.split(",").map((s) => s.trim());
  if (ids.some((s) => s === "")) throw new LocationError(`${source}: an empty id in the comma list "${t}"`);
  return locationsFromConfig(ids, source);
}
