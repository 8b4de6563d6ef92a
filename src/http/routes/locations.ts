// GET /v1/locations: the configured locations with their ASOS station, their model status (the
// production version in the registry, and the one this server has loaded) and the freshness of
// their observations. Two reads in ONE database round trip, whatever the number of locations.
//   ?location=seoul,busan        only these (unknown ids: 400 with close matches)
//   ?latitude=35.1&longitude=129.0 (comma lists)  also `points`: each point's KMA grid point and the
//                                nearest configured location with observations, with the distance
import { createRoute, z } from "@hono/zod-openapi";
import { stationByNumber } from "../../locations/asos-catalog.ts";
import { LocationLookupError, resolveLocationIds, resolvePoints, stationDistanceKm } from "../../locations/lookup.ts";
import type { Location } from "../../locations/locations.ts";
import type { Api, ApiDeps } from "../api-deps.ts";
import { errorResponses } from "../api-schemas.ts";

const Iso = z.string().openapi({ description: "UTC instant, ISO 8601", example: "2025-05-29T14:00:00Z" });

export const LocationsQuery = z.object({
  location: z
    .string()
    .max(6500)
    .optional()
    .openapi({ description: "comma list of location ids (up to 100); default: every configured location", example: "seoul,busan" }),
  latitude: z.string().max(2000).optional().openapi({ description: "comma list of latitudes (WGS84 degrees), with `longitude`", example: "35.1" }),
  longitude: z.string().max(2000).optional().openapi({ description: "comma list of longitudes, one per latitude", example: "129.0" }),
});

const LocationStatus = z
  .object({
    id: z.string(),
    name: z.string(),
    lat: z.number(),
    lon: z.number(),
    nx: z.number().int(),
    ny: z.number().int(),
    station: z
      .object({ id: z.string(), stn_id: z.number().int(), name: z.string(), distance_km: z.number() })
      .nullable()
      .openapi({ description: "the ASOS station whose observations stand for this location" }),
    model: z.object({
      production_version: z.string().nullable().openapi({ description: "the registry's production alias; null: none" }),
      production_since: Iso.nullable(),
      loaded_version: z.string().nullable().openapi({ description: "the version this server holds in memory (null: not loaded yet)" }),
    }),
    observations: z.object({ newest_at: Iso.nullable(), age_seconds: z.number().int().nullable() }),
  })
  .openapi("LocationStatus");

const Point = z
  .object({
    latitude: z.number(),
    longitude: z.number(),
    nx: z.number().int(),
    ny: z.number().int(),
    nearest: z.object({ id: z.string(), distance_km: z.number() }).openapi({ description: "the nearest configured location with observations" }),
  })
  .openapi("LocationPoint");

export const LocationsResponse = z
  .object({
    default_location: z.string(),
    count: z.number().int(),
    locations: z.array(LocationStatus),
    points: z.array(Point).optional(),
  })
  .openapi("Locations");

const route = createRoute({
  method: "get",
  path: "/v1/locations",
  tags: ["forecast"],
  summary: "Configured locations: ASOS station, model status, observation freshness; nearest location to points",
  request: { query: LocationsQuery },
  responses: { 200: { description: "locations", content: { "application/json": { schema: LocationsResponse } } }, ...errorResponses(400, 409) },
});

const km = (d: number) => Math.round(d * 10) / 10;

interface Status {
  production: Map<string, { version: string; since: string }>;
  newest: Map<string, string>;
}

/** The production aliases and newest observed temperature of the locations, in one round trip. */
export async function readLocationStatus(db: ApiDeps["db"], ids: readonly string[]): Promise<Status> {
  if (ids.length === 0) return { production: new Map(), newest: new Map() };
  const marks = ids.map(() => "?").join(", ");
  const [aliases, newest] = await db.batch(
    [
      { sql: `SELECT location_id, version, updated_at FROM model_aliases WHERE alias = 'production' AND location_id IN (${marks})`, args: [...ids] },
      {
        sql: `SELECT location_id, max(observed_at) AS t FROM observations WHERE temperature_c IS NOT NULL AND location_id IN (${marks}) GROUP BY location_id`,
        args: [...ids],
      },
    ],
    "read",
  );
  return {
    production: new Map(aliases!.rows.map((r) => [String(r.location_id), { version: String(r.version), since: String(r.updated_at) }])),
    newest: new Map(newest!.rows.map((r) => [String(r.location_id), String(r.t)])),
  };
}

export function registerLocations(app: Api, deps: ApiDeps): void {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const asked: readonly Location[] = q.location === undefined ? deps.locations : resolveLocationIds(q.location, deps.locations);
    const wantPoints = q.latitude !== undefined || q.longitude !== undefined;
    if (wantPoints && (q.latitude === undefined || q.longitude === undefined)) {
      throw new LocationLookupError("invalid_request", "give both latitude and longitude (comma lists of the same length)", {
        latitude: q.latitude ?? null,
        longitude: q.longitude ?? null,
      });
    }
    // With points, the candidates are every configured location (the nearest with data may be one not asked for).
    const read = wantPoints ? deps.locations : asked;
    const status = await readLocationStatus(
      deps.db,
      read.map((l) => l.id),
    );
    const now = deps.clock.now().getTime();
    const locations = asked.map((l) => {
      const station = l.asosStationId === undefined ? undefined : stationByNumber(l.asosStationId);
      const prod = status.production.get(l.id);
      const newest = status.newest.get(l.id) ?? null;
      return {
        id: l.id,
        name: l.name,
        lat: l.lat,
        lon: l.lon,
        nx: l.nx,
        ny: l.ny,
        station: station ? { id: station.id, stn_id: station.stnId, name: station.name, distance_km: km(stationDistanceKm(l) ?? 0) } : null,
        model: { production_version: prod?.version ?? null, production_since: prod?.since ?? null, loaded_version: deps.models.peek(l.id)?.version ?? null },
        observations: { newest_at: newest, age_seconds: newest === null ? null : Math.round((now - Date.parse(newest)) / 1000) },
      };
    });
    const body: z.infer<typeof LocationsResponse> = { default_location: deps.defaultLocation, count: locations.length, locations };
    if (wantPoints) {
      const withData = deps.locations.filter((l) => status.newest.has(l.id));
      body.points = resolvePoints(q.latitude!, q.longitude!, withData).map((p) => ({
        latitude: p.lat,
        longitude: p.lon,
        nx: p.nx,
        ny: p.ny,
        nearest: { id: p.nearest.location.id, distance_km: km(p.nearest.distanceKm) },
      }));
    }
    return c.json(body, 200);
  });
}
