// Forecast locations: a lowercase slug id, a display name, a WGS84 position, the KMA grid point it
// falls in (computed, never typed by hand) and optionally the ASOS station whose hourly observations
// are the ground truth for it.
import { z } from "zod";
import { GridRangeError, latLonToGrid } from "./kma-grid.ts";

export interface Location {
  /** Lowercase slug: a-z, 0-9 and single hyphens, starting with a letter (e.g. `seoul`, `busan-haeundae`). */
  id: string;
  name: string;
  lat: number;
  lon: number;
  /** KMA 5 km grid point, computed from lat/lon. */
  nx: number;
  ny: number;
  /** ASOS station number (지점번호) for hourly observations, when there is one. */
  asosStationId?: number;
}

export const LOCATION_ID_PATTERN = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

export const locationInputSchema = z.strictObject({
  id: z
    .string()
    .min(1, "id is empty")
    .max(64, "id is longer than 64 characters")
    .regex(LOCATION_ID_PATTERN, "id must be a lowercase slug: a-z, 0-9 and single hyphens, starting with a letter"),
  name: z.string().trim().min(1, "name is empty").max(100, "name is longer than 100 characters"),
  lat: z.number().finite().min(-90, "lat must be >= -90").max(90, "lat must be <= 90"),
  lon: z.number().finite().min(-180, "lon must be >= -180").max(180, "lon must be <= 180"),
  asosStationId: z.number().int("asosStationId must be an integer").min(1).max(9999).optional(),
});

export type LocationInput = z.input<typeof locationInputSchema>;

/** A location was described wrongly (bad id, coordinates off the KMA grid, duplicate id). One line. */
export class LocationError extends Error {
  override name = "LocationError";
}

function oneLine(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues.map((i) => (i.path.length ? `${i.path.map(String).join(".")}: ${i.message}` : i.message)).join("; ");
}

/** Validates the input and computes the grid point. Throws LocationError naming the problem. */
export function createLocation(input: unknown): Location {
  const parsed = locationInputSchema.safeParse(input);
  if (!parsed.success) {
    const id = typeof (input as { id?: unknown } | null)?.id === "string" ? ` "${(input as { id: string }).id}"` : "";
    throw new LocationError(`invalid location${id}: ${oneLine(parsed.error.issues)}`);
  }
  const { id, name, lat, lon, asosStationId } = parsed.data;
  let grid;
  try {
    grid = latLonToGrid(lat, lon);
  } catch (e) {
    if (e instanceof GridRangeError) throw new LocationError(`invalid location "${id}": ${e.message}`);
    throw e;
  }
  return { id, name, lat, lon, nx: grid.nx, ny: grid.ny, ...(asosStationId !== undefined ? { asosStationId } : {}) };
}

/** Seoul City Hall (서울특별시청), grid (60, 127), ASOS station 108 (서울). */
export const SEOUL: Location = Object.freeze(createLocation({ id: "seoul", name: "Seoul (City Hall)", lat: 37.566535, lon: 126.977969, asosStationId: 108 }));

export const DEFAULT_LOCATION_ID = "seoul";

/** The built-in forecast locations. */
export const DEFAULT_LOCATIONS: readonly Location[] = Object.freeze([SEOUL]);

/** A new list with the location added (validated, grid computed); rejects a duplicate id. */
export function addLocation(list: readonly Location[], input: unknown): Location[] {
  const location = createLocation(input);
  if (list.some((l) => l.id === location.id)) {
    throw new LocationError(`location id "${location.id}" already exists`);
  }
  return [...list, location];
}

/** Finds a location by id, or throws LocationError listing the known ids. */
export function getLocation(list: readonly Location[], id: string): Location {
  const found = list.find((l) => l.id === id);
  if (!found) {
    throw new LocationError(`unknown location "${id}"; known: ${list.map((l) => l.id).join(", ") || "(none)"}`);
  }
  return found;
}
