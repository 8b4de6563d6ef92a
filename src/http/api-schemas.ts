// The API's request and response schemas (zod, with OpenAPI metadata): requests are validated with
// them, and /openapi.json is generated from them.
import { z } from "@hono/zod-openapi";
import { LOCATION_ID_PATTERN } from "../locations/locations.ts";
import { MODEL_VERSION_PATTERN } from "../storage/keys.ts";
import { MAX_LEAD_HOURS } from "../model/lead-features.ts";
import { MAX_BATCH_ROWS } from "../serving/predict.ts";
import { RESPONSE_TIMEZONE_NAMES } from "../time/response-timezone.ts";

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "stale_inputs" }),
      message: z.string(),
      details: z.unknown().openapi({ description: "machine-readable specifics (missing features, limits, ...), or null" }),
    }),
  })
  .openapi("Error");

export const LocationId = z.string().max(64).regex(LOCATION_ID_PATTERN, "a location id is a lowercase slug such as seoul").openapi({ example: "seoul" });
export const Version = z.string().regex(MODEL_VERSION_PATTERN, "not a model version").openapi({ example: "20250529T183000Z" });
const Iso = z.string().openapi({ description: "UTC instant, ISO 8601", example: "2025-05-29T14:00:00.000Z" });

export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [
      s,
      {
        description:
          {
            400: "malformed JSON or invalid input (the details list what)",
            401: "no bearer token",
            403: "wrong bearer token",
            404: "unknown location, version, job or route; admin routes when no ADMIN_TOKEN is configured",
            409: "stale or missing inputs, a refused model, or a conflicting registry change",
            413: "request body over the size limit",
            415: "request body is not application/json",
            429: "too many wrong admin tokens from this client (see Retry-After)",
            503: "no production model, or the registry cannot be read; admin routes when ADMIN_TOKEN is too short",
          }[s] ?? "error",
        content: { "application/json": { schema: ErrorSchema } },
      },
    ]),
  );

// --- forecast -------------------------------------------------------------------------------------

export const FORECAST_MAX_LOCATIONS = 100;

/** The query parameters GET /v1/forecast knows; any other is a 400 that names it. */
export const ForecastQuery = z.object({
  location: z
    .string()
    .max(FORECAST_MAX_LOCATIONS * 65)
    .optional()
    .openapi({
      description: `location id, or a comma list of up to ${FORECAST_MAX_LOCATIONS} (the answer is then an array in request order); default: the configured default location`,
      example: "seoul",
    }),
  latitude: z.string().max(2000).optional().openapi({
    description: "WGS84 latitude, or a comma list (with as many longitudes): answered by the nearest location with data, with its distance",
    example: "37.57",
  }),
  longitude: z.string().max(2000).optional().openapi({ description: "WGS84 longitude, or a comma list", example: "126.98" }),
  hours: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_LEAD_HOURS)
    .optional()
    .openapi({ description: `forecast hours 1..${MAX_LEAD_HOURS} after the issue hour (default ${MAX_LEAD_HOURS})` }),
  timezone: z
    .enum(RESPONSE_TIMEZONE_NAMES)
    .optional()
    .openapi({ description: "clock of every time in the answer (local wall clock, no offset; utc_offset_seconds says which). Default UTC" }),
  at: z.iso
    .datetime({ offset: true, message: "at must be an ISO 8601 time with a zone, e.g. 2025-05-29T14:00:00Z" })
    .optional()
    .openapi({ description: "forecast as of this time (default now): issued from the latest observation at or before it" }),
});

const Holdout = z.object({
  from: Iso,
  to: Iso,
  n: z.number().int(),
  rmse: z.number().openapi({ description: "model RMSE on the holdout window at the 24 h lead, °C" }),
  persistence_rmse: z.number(),
  climatology_rmse: z.number().nullable(),
  kma_rmse: z.number().nullable(),
  skill_vs_persistence: z.number().openapi({ description: "1 - rmse / persistence_rmse" }),
});

export const ModelSummary = z
  .object({
    version: Version,
    trained_at: Iso.nullable().openapi({ description: "when its training run ended" }),
    data_until: Iso.openapi({ description: "end of its training data (exclusive)" }),
    target: z.string().openapi({ example: "delta" }),
    holdout: Holdout,
  })
  .openapi("ModelSummary");

const Local = z.string().openapi({ description: "local time in the answer's timezone, ISO 8601 without offset", example: "2025-05-29T23:00" });
const Series = z.array(z.number());
const NullableSeries = z.array(z.number().nullable());

export const HourlyUnits = z
  .object({
    time: z.literal("iso8601"),
    lead_hours: z.literal("h"),
    temperature_2m: z.literal("°C"),
    temperature_2m_p10: z.literal("°C"),
    temperature_2m_p90: z.literal("°C"),
    temperature_2m_p025: z.literal("°C"),
    temperature_2m_p975: z.literal("°C"),
    temperature_2m_persistence: z.literal("°C"),
    temperature_2m_diurnal_persistence: z.literal("°C"),
    temperature_2m_climatology: z.literal("°C"),
    temperature_2m_kma: z.literal("°C"),
  })
  .openapi("HourlyUnits");

export const ForecastResponse = z
  .object({
    latitude: z.number().openapi({ description: "of the location answering (for a point request: the nearest location with data)" }),
    longitude: z.number(),
    location: z.object({ id: z.string(), name: z.string(), nx: z.number().int(), ny: z.number().int() }),
    requested: z
      .object({ latitude: z.number(), longitude: z.number(), nx: z.number().int(), ny: z.number().int(), distance_km: z.number() })
      .nullable()
      .openapi({
        description: "for latitude/longitude requests: the point asked for, its KMA grid point and how far the answering location is; null for location ids",
      }),
    generationtime_ms: z.number().openapi({ description: "time the server spent computing the answer (the whole request), ms" }),
    utc_offset_seconds: z.number().int(),
    timezone: z.enum(RESPONSE_TIMEZONE_NAMES),
    timezone_abbreviation: z.string(),
    issued_at: Local.openapi({ description: "the issue hour t: the latest hour with an observed temperature at or before `at` (or now)" }),
    model: ModelSummary.extend({
      hourly_recipe: z.string().openapi({ description: "the 1..48 h model set's recipe" }),
      lead_groups: z.array(z.tuple([z.number().int(), z.number().int()])).openapi({ description: "leads [from, to] served by one model each" }),
    }),
    inputs: z.object({
      newest_observation_at: Local,
      age_seconds: z.number().int().openapi({ description: "`at` (or now) minus issued_at" }),
      max_age_seconds: z.number().int(),
      window_from: Local,
      observations_in_window: z.number().int(),
      missing_features: z.array(z.string()).openapi({ description: "issue-hour features without a value (treated as missing by the models)" }),
    }),
    hourly_units: HourlyUnits,
    hourly: z
      .object({
        time: z.array(Local).openapi({ description: "valid times issued_at + 1 h ... + hours" }),
        lead_hours: z.array(z.number().int()),
        temperature_2m: Series.openapi({ description: "the model's forecast (median), °C" }),
        temperature_2m_p10: Series.openapi({ description: "lower bound of the 80 % prediction interval" }),
        temperature_2m_p90: Series.openapi({ description: "upper bound of the 80 % prediction interval" }),
        temperature_2m_p025: Series.openapi({ description: "lower bound of the 95 % prediction interval" }),
        temperature_2m_p975: Series.openapi({ description: "upper bound of the 95 % prediction interval" }),
        temperature_2m_persistence: Series.openapi({ description: "baseline: T(issued_at)" }),
        temperature_2m_diurnal_persistence: NullableSeries.openapi({
          description: "baseline: the same clock hour on the most recent day at or before issued_at (null where not observed)",
        }),
        temperature_2m_climatology: NullableSeries.openapi({ description: "baseline: the model's hour x day-of-year climatology (null without one)" }),
        temperature_2m_kma: NullableSeries.openapi({
          description: "baseline: the latest KMA short-term forecast for the hour issued at or before issued_at (null where none is stored)",
        }),
      })
      .openapi({ description: "one entry per lead hour; intervals are ordered p025 <= p10 <= temperature_2m <= p90 <= p975" }),
  })
  .openapi("Forecast");

export const ForecastsResponse = z.array(ForecastResponse).openapi("Forecasts", { description: "several locations: one Forecast each, in request order" });

// --- predict --------------------------------------------------------------------------------------

const FeatureRow = z.record(z.string(), z.unknown()).openapi({
  description:
    "feature name -> finite number, or null for a missing value; exactly the 1..48 h model set's features (GET /v1/models/{version}, hourly.features), without `lead`",
  example: { hour_sin: 0.5, hour_cos: -0.866, ta_d1: 0.4, ta_d3: 1.1, ws: 2.1, vhour_sin: 0.7, vhour_cos: 0.7, clim_v_rel: -1.2, kma_v_rel: null },
});

export const PredictRequest = z
  .strictObject({
    location: LocationId.optional(),
    lead_hours: z
      .number()
      .int()
      .min(1)
      .max(MAX_LEAD_HOURS)
      .openapi({ description: `the lead h (1..${MAX_LEAD_HOURS}) every row is for: it selects the lead-group model and is its \`lead\` feature` }),
    features: FeatureRow.optional().openapi({ description: "one row" }),
    instances: z
      .array(FeatureRow)
      .max(MAX_BATCH_ROWS, `at most ${MAX_BATCH_ROWS} instances per request`)
      .optional()
      .openapi({ description: `up to ${MAX_BATCH_ROWS} rows` }),
  })
  .refine((b) => (b.features === undefined) !== (b.instances === undefined), { message: 'send either "features" (one row) or "instances" (a list of rows)' })
  .openapi("PredictRequest", { description: `lead_hours and one row as "features", or up to ${MAX_BATCH_ROWS} rows as "instances"` });

export const PredictResponse = z
  .object({
    location: z.string(),
    model: z.object({ version: Version, hourly_recipe: z.string(), lead_group: z.tuple([z.number().int(), z.number().int()]) }),
    lead_hours: z.number().int(),
    target: z.object({
      name: z.literal("delta"),
      description: z.string(),
      unit: z.literal("°C"),
    }),
    output: z.literal("target").openapi({ description: "values are T(t+h) - T(t), °C: add the issue hour's temperature T(t) for the temperature" }),
    predictions: z.array(z.number()).openapi({ description: "the point forecast (median) per row" }),
    intervals: z
      .object({ p10: z.array(z.number()), p90: z.array(z.number()), p025: z.array(z.number()), p975: z.array(z.number()) })
      .openapi({ description: "the calibrated 80 % (p10..p90) and 95 % (p025..p975) bounds per row, in the same space" }),
  })
  .openapi("Predictions");

// --- registry, runs, jobs ---------------------------------------------------------------------------

export const LocationFilter = z.object({ location: LocationId.optional() });
export const ListQuery = z.object({
  location: LocationId.optional(),
  limit: z.coerce.number().int().min(1).max(500).optional().openapi({ description: "1..500, default 20 (50 for ingest runs)" }),
});

export const VersionParam = z.object({ version: Version.openapi({ param: { name: "version", in: "path" } }) });
export const JobParam = z.object({
  name: z
    .string()
    .max(64)
    .openapi({ param: { name: "name", in: "path" }, example: "ingest" }),
});

const Json = z.record(z.string(), z.unknown());
export const ModelsResponse = z.object({ versions: z.array(Json), aliases: z.array(Json), history: z.array(Json), serving: z.array(Json) }).openapi("Models");
export const ModelDetailResponse = z
  .object({
    version: Json,
    production: z.boolean(),
    feature_spec: z.object({
      version: z.string(),
      target: z.string(),
      horizon_hours: z.number().int(),
      features: z.array(z.object({ name: z.string(), type: z.string(), group: z.string(), description: z.string() })),
    }),
    recipe: Json,
    trained_before: Iso,
    iterations: z.number().int(),
    train_rows: z.number().int(),
  })
  .openapi("ModelDetail");
export const RunsResponse = z.object({ training_runs: z.array(Json), pipeline_runs: z.array(Json) }).openapi("Runs");
export const JobsResponse = z.object({ pipeline_runs: z.array(Json), ingest_runs: z.array(Json), available_jobs: z.array(z.string()) }).openapi("Jobs");

// --- admin ----------------------------------------------------------------------------------------

export const MoveBody = z
  .strictObject({
    location: LocationId.optional(),
    reason: z.string().min(1).max(2000).optional(),
    by: z.string().min(1).max(100).optional().openapi({ description: "who (recorded in the promotion history); default admin-api" }),
  })
  .openapi("RegistryMove");
export const MoveResponse = z.object({ events: z.array(Json), serving: Json }).openapi("RegistryMoveResult");
export const ReloadBody = z.strictObject({ location: LocationId.optional() });
export const ReloadResponse = z.object({ models: z.array(Json) }).openapi("ReloadResult");
export const JobBody = z.strictObject({ location: LocationId.optional() });
export const JobResponse = z.object({ job: z.string(), ok: z.boolean(), ms: z.number(), summary: Json }).openapi("JobResult");

// --- health ---------------------------------------------------------------------------------------

export const HealthResponse = z
  .object({
    status: z.enum(["ok", "degraded", "unhealthy"]),
    reasons: z.array(
      z.object({
        code: z.enum(["database_unavailable", "no_model", "stale_inputs", "model_lag", "model_refused"]),
        location: z.string().nullable(),
        message: z.string(),
      }),
    ),
    database: z.object({ reachable: z.boolean(), error: z.string().nullable() }),
    locations: z.array(
      z.object({
        id: z.string(),
        model_version: z.string().nullable(),
        model_loaded_at: Iso.nullable(),
        model_problem: z.string().nullable(),
        production_version: z.string().nullable(),
        newest_observation_at: Iso.nullable(),
        newest_observation_age_seconds: z.number().int().nullable(),
      }),
    ),
    model_reload_seconds: z.number(),
    checked_at: Iso.nullable(),
  })
  .openapi("Health");
