// Which locations a GET /v1/forecast request names: `location=seoul,busan` (configured ids, in
// request order) or `latitude=..&longitude=..` (comma lists; each point answered by the nearest
// location with data, with the distance). The lookup itself is src/locations' (one home); this only
// turns the query into a list and says whether the answer is one object or an array.
import { FORECAST_MAX_LOCATIONS } from "../api-schemas.ts";
import { ApiError } from "../api-errors.ts";
import type { ApiDeps } from "../api-deps.ts";
import type { Location } from "../../locations/locations.ts";

export interface ForecastTarget {
  location: Location;
  /** For a point request: the point, its KMA grid point and the distance to `location`. */
  requested: { latitude: number; longitude: number; nx: number; ny: number; distance_km: number } | null;
}

export interface ForecastTargets {
  targets: ForecastTarget[];
  /** Several locations (a comma list): the answer is an array, as public weather APIs do. */
  many: boolean;
}

export function forecastTargets(deps: ApiDeps, q: { location?: string | undefined; latitude?: string | undefined; longitude?: string | undefined }): ForecastTargets {
  if (q.latitude !== undefined || q.longitude !== undefined) {
    if (q.location !== undefined) throw new ApiError(400, "invalid_request", "give either location or latitude and longitude, not both", { parameters: ["location", "latitude", "longitude"] });
    if (q.latitude === undefined || q.longitude === undefined) throw new ApiError(400, "invalid_request", `${q.latitude === undefined ? "latitude" : "longitude"} is missing: a point needs both latitude and longitude`, null);
    // The coordinate lookup (KMA grid point, nearest station with data) comes with src/locations/lookup.ts.
    throw new ApiError(400, "not_supported", "latitude/longitude lookup is not available on this server yet: name a location id (GET /healthz lists them)", null);
  }
  const ids = (q.location ?? deps.defaultLocation).split(",").map((s) => s.trim());
  if (ids.some((s) => s === "")) throw new ApiError(400, "invalid_request", `location: an empty item in "${q.location}"`, null);
  const unique = [...new Set(ids)];
  if (unique.length > FORECAST_MAX_LOCATIONS) throw new ApiError(400, "too_many_locations", `${unique.length} locations asked for; at most ${FORECAST_MAX_LOCATIONS} per request`, { count: unique.length, max: FORECAST_MAX_LOCATIONS });
  const byId = new Map(deps.locations.map((l) => [l.id, l]));
  const unknown = unique.filter((id) => !byId.has(id));
  if (unknown.length) {
    const known = deps.locations.map((l) => l.id);
    throw new ApiError(404, "unknown_location", `unknown location${unknown.length > 1 ? "s" : ""} ${unknown.map((u) => `"${u}"`).join(", ")}; known: ${known.join(", ")}`, { unknown, known });
  }
  return { targets: unique.map((id) => ({ location: byId.get(id)!, requested: null })), many: ids.length > 1 };
}
