// Which locations a GET /v1/forecast request names: `location=seoul,busan` (configured ids, in
// request order; unknown ids: 400 with close matches) or `latitude=..&longitude=..` (comma lists;
// each point answered by the nearest configured location with observations, with the distance).
// The lookup itself is src/locations/lookup.ts (one home); this turns the query into a list and says
// whether the answer is one object or an array.
import { LocationLookupError, resolveLocationIds, resolvePoints } from "../../locations/lookup.ts";
import type { Location } from "../../locations/locations.ts";
import type { ApiDeps } from "../api-deps.ts";
import { readLocationStatus } from "./locations.ts";

export interface ForecastTarget {
  location: Location;
  /** For a point request: the point, its KMA grid point and the distance to `location`. */
  requested: { latitude: number; longitude: number; nx: number; ny: number; distance_km: number } | null;
}

export interface ForecastTargets {
  targets: ForecastTarget[];
  /** Several locations or points (comma lists): the answer is an array, as public weather APIs do. */
  many: boolean;
}

export async function forecastTargets(
  deps: ApiDeps,
  q: { location?: string | undefined; latitude?: string | undefined; longitude?: string | undefined },
): Promise<ForecastTargets> {
  if (q.latitude !== undefined || q.longitude !== undefined) {
    if (q.location !== undefined)
      throw new LocationLookupError("invalid_request", "give either location or latitude and longitude, not both", {
        parameters: ["location", "latitude", "longitude"],
      });
    if (q.latitude === undefined || q.longitude === undefined) {
      throw new LocationLookupError("invalid_request", "give both latitude and longitude (comma lists of the same length)", {
        latitude: q.latitude ?? null,
        longitude: q.longitude ?? null,
      });
    }
    const status = await readLocationStatus(
      deps.db,
      deps.locations.map((l) => l.id),
    );
    const withData = deps.locations.filter((l) => status.newest.has(l.id));
    const points = resolvePoints(q.latitude, q.longitude, withData);
    return {
      targets: points.map((p) => ({
        location: p.nearest.location,
        requested: { latitude: p.lat, longitude: p.lon, nx: p.nx, ny: p.ny, distance_km: Math.round(p.nearest.distanceKm * 10) / 10 },
      })),
      many: points.length > 1,
    };
  }
  const param = q.location ?? deps.defaultLocation;
  const locations = resolveLocationIds(param, deps.locations);
  return { targets: locations.map((location) => ({ location, requested: null })), many: param.includes(",") };
}
