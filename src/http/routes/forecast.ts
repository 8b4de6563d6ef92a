// GET /v1/forecast: the 24-hour forecast from the latest stored observations, with the model, the
// baselines for the same hour and the age of the inputs.
import { boundedNames, clipText, listText, MAX_NAME_CHARS } from "../../text/bounded-list.ts";
import { createRoute } from "@hono/zod-openapi";
import type { z } from "@hono/zod-openapi";
import { HORIZON_HOURS } from "../../model/features.ts";
import { ApiError } from "../api-errors.ts";
import type { Api, ApiDeps } from "../api-deps.ts";
import { errorResponses, ForecastQuery, ForecastResponse } from "../api-schemas.ts";
import { modelSummary } from "./model-summary.ts";

const route = createRoute({
  method: "get",
  path: "/v1/forecast",
  tags: ["forecast"],
  summary: "24-hour temperature forecast for a location",
  description:
    "Issued at the latest hour with an observed temperature at or before `at` (default now), valid 24 h later. Built from the stored observations with the production model; baselines for the same hour included. 409 when the newest observation is older than FORECAST_MAX_AGE_MINUTES (default 180) or there is none; 503 when no production model is available.",
  request: { query: ForecastQuery },
  responses: {
    200: { description: "the forecast", content: { "application/json": { schema: ForecastResponse } } },
    ...errorResponses(400, 404, 409, 503),
  },
});

export function knownLocation(deps: ApiDeps, id: string | undefined) {
  const wanted = id ?? deps.defaultLocation;
  const location = deps.locations.find((l) => l.id === wanted);
  if (!location) throw new ApiError(404, "unknown_location", `unknown location "${clipText(wanted, MAX_NAME_CHARS)}"; known: ${listText(deps.locations.map((l) => l.id))}`, { known: boundedNames(deps.locations.map((l) => l.id)), known_count: deps.locations.length });
  return location;
}

export function registerForecast(app: Api, deps: ApiDeps): void {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const location = knownLocation(deps, q.location);
    const a = await deps.forecasts.forecast(location.id, q.at === undefined ? undefined : new Date(q.at));
    const f = a.forecast;
    const iso = (t: number) => new Date(t).toISOString();
    const body: z.infer<typeof ForecastResponse> = {
      location: { id: location.id, name: location.name, nx: location.nx, ny: location.ny },
      issued_at: iso(f.issuedAt),
      valid_at: iso(f.validAt),
      horizon_hours: HORIZON_HOURS,
      temperature_c: round(f.temperatureC, 2),
      model: modelSummary(a.model),
      baselines: {
        persistence_c: f.persistenceC,
        kma_c: f.kmaC,
        kma_issued_at: f.kmaIssuedAt === null ? null : iso(f.kmaIssuedAt),
        climatology_c: f.climatologyC === null ? null : round(f.climatologyC, 2),
      },
      inputs: {
        newest_observation_at: iso(f.newestObservationAt),
        age_seconds: Math.round(a.inputAgeMs / 1000),
        max_age_seconds: Math.round(a.maxInputAgeMs / 1000),
        window_from: iso(f.windowFrom),
        observations_in_window: f.observationsInWindow,
        missing_features: f.missingFeatures,
      },
    };
    return c.json(body, 200);
  });
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
