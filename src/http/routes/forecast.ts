// GET /v1/forecast: the next 1..48 hours for one or several locations, in the conventions of public
// weather APIs (Open-Meteo): `hourly` arrays (time, temperature_2m, the 80 % and 95 % interval
// bounds, the baselines) with `hourly_units`, times as local wall clock in `timezone` with
// `utc_offset_seconds`, `generationtime_ms`. Several locations: an array in request order.
import { boundedNames, clipText, listText, MAX_NAME_CHARS } from "../../text/bounded-list.ts";
import { createRoute } from "@hono/zod-openapi";
import type { z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { MAX_LEAD_HOURS } from "../../model/lead-features.ts";
import type { HourlyAnswer } from "../../serving/forecast-service.ts";
import { localIsoMinute, RESPONSE_TIMEZONES, type ResponseTimezone } from "../../time/response-timezone.ts";
import { ApiError } from "../api-errors.ts";
import type { Api, ApiDeps } from "../api-deps.ts";
import { errorResponses, FORECAST_MAX_LOCATIONS, ForecastQuery, ForecastResponse, ForecastsResponse, type HourlyUnits } from "../api-schemas.ts";
import { type ForecastTarget, forecastTargets } from "./forecast-locations.ts";
import { modelSummary } from "./model-summary.ts";

const KNOWN_PARAMETERS = Object.keys(ForecastQuery.shape);

/** A query parameter the route does not know is a mistake (a typo would otherwise be ignored): 400 naming it. */
const unknownParameters: MiddlewareHandler = async (c, next) => {
  const unknown = [...new Set(new URL(c.req.url).searchParams.keys())].filter((k) => !KNOWN_PARAMETERS.includes(k));
  if (unknown.length) {
    throw new ApiError(
      400,
      "unknown_parameter",
      `unknown query parameter${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => `"${k.slice(0, 64)}"`).join(", ")}; known: ${KNOWN_PARAMETERS.join(", ")}`,
      {
        unknown: unknown.slice(0, 20).map((k) => k.slice(0, 64)),
        known: KNOWN_PARAMETERS,
      },
    );
  }
  await next();
};

const route = createRoute({
  method: "get",
  path: "/v1/forecast",
  tags: ["forecast"],
  summary: "Hourly temperature forecast, 1..48 h, with 80 % and 95 % intervals and baselines",
  description: `Issued at the latest hour with an observed temperature at or before \`at\` (default now), for every hour up to \`hours\` (default ${MAX_LEAD_HOURS}) after it, by the production model set (lead-group models with calibrated intervals). \`location\` takes a comma list of up to ${FORECAST_MAX_LOCATIONS} ids: the answer is then an array in request order (any failing location fails the request, naming it). Unknown query parameters: 400 unknown_parameter. 409 when the newest observation is older than FORECAST_MAX_AGE_MINUTES (default 180) or there is none; 503 when no production model (with a 1..48 h set) is available.`,
  middleware: [unknownParameters] as const,
  request: { query: ForecastQuery },
  responses: {
    200: {
      description: "the forecast (an array for a comma list of locations)",
      content: { "application/json": { schema: ForecastResponse.or(ForecastsResponse) } },
    },
    ...errorResponses(400, 404, 409, 503),
  },
});

export function knownLocation(deps: ApiDeps, id: string | undefined) {
  const wanted = id ?? deps.defaultLocation;
  const location = deps.locations.find((l) => l.id === wanted);
  if (!location)
    throw new ApiError(404, "unknown_location", `unknown location "${clipText(wanted, MAX_NAME_CHARS)}"; known: ${listText(deps.locations.map((l) => l.id))}`, {
      known: boundedNames(deps.locations.map((l) => l.id)),
      known_count: deps.locations.length,
    });
  return location;
}

export const HOURLY_UNITS: z.infer<typeof HourlyUnits> = {
  time: "iso8601",
  lead_hours: "h",
  temperature_2m: "°C",
  temperature_2m_p10: "°C",
  temperature_2m_p90: "°C",
  temperature_2m_p025: "°C",
  temperature_2m_p975: "°C",
  temperature_2m_persistence: "°C",
  temperature_2m_diurnal_persistence: "°C",
  temperature_2m_climatology: "°C",
  temperature_2m_kma: "°C",
};

const r2 = (x: number) => Math.round(x * 100) / 100;
const r2n = (x: number | null) => (x === null ? null : r2(x));

/** One location's answer body. */
export function forecastBody(
  t: ForecastTarget,
  a: HourlyAnswer,
  opts: { hours: number; timezone: ResponseTimezone; generationMs: number },
): z.infer<typeof ForecastResponse> {
  const tz = RESPONSE_TIMEZONES[opts.timezone];
  const local = (ms: number) => localIsoMinute(ms, tz.offsetSeconds);
  const f = a.forecast;
  const leads = f.leads.filter((l) => l.lead_hours <= opts.hours);
  const hourly = a.model.hourly!.artifact;
  return {
    latitude: t.location.lat,
    longitude: t.location.lon,
    location: { id: t.location.id, name: t.location.name, nx: t.location.nx, ny: t.location.ny },
    requested: t.requested,
    generationtime_ms: Math.round(opts.generationMs * 1000) / 1000,
    utc_offset_seconds: tz.offsetSeconds,
    timezone: opts.timezone,
    timezone_abbreviation: tz.abbreviation,
    issued_at: local(f.issuedAt),
    model: { ...modelSummary(a.model), hourly_recipe: hourly.recipe.name, lead_groups: hourly.groups.map((g) => [g.leads[0], g.leads[1]] as [number, number]) },
    inputs: {
      newest_observation_at: local(f.newestObservationAt),
      age_seconds: Math.round(a.inputAgeMs / 1000),
      max_age_seconds: Math.round(a.maxInputAgeMs / 1000),
      window_from: local(f.windowFrom),
      observations_in_window: f.observationsInWindow,
      missing_features: f.missingFeatures,
    },
    hourly_units: HOURLY_UNITS,
    hourly: {
      time: leads.map((l) => local(l.validAt)),
      lead_hours: leads.map((l) => l.lead_hours),
      temperature_2m: leads.map((l) => r2(l.temperature)),
      temperature_2m_p10: leads.map((l) => r2(l.p10)),
      temperature_2m_p90: leads.map((l) => r2(l.p90)),
      temperature_2m_p025: leads.map((l) => r2(l.p025)),
      temperature_2m_p975: leads.map((l) => r2(l.p975)),
      temperature_2m_persistence: leads.map((l) => r2(l.persistence)),
      temperature_2m_diurnal_persistence: leads.map((l) => r2n(l.diurnalPersistence)),
      temperature_2m_climatology: leads.map((l) => r2n(l.climatology)),
      temperature_2m_kma: leads.map((l) => r2n(l.kma)),
    },
  };
}

export function registerForecast(app: Api, deps: ApiDeps): void {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const t0 = performance.now();
    const { targets, many } = await forecastTargets(deps, q);
    const at = q.at === undefined ? undefined : new Date(q.at);
    const answers = await deps.forecasts.hourlyMany(
      targets.map((t) => t.location.id),
      at,
    );
    const opts = { hours: q.hours ?? MAX_LEAD_HOURS, timezone: q.timezone ?? "UTC", generationMs: performance.now() - t0 } as const;
    const bodies = targets.map((t, i) => forecastBody(t, answers[i]!, opts));
    return c.json(many ? bodies : bodies[0]!, 200);
  });
}
