// The API's request and response schemas (zod, with OpenAPI metadata): requests are validated with
// them, and /openapi.json is generated from them.
import { z } from "@hono/zod-openapi";
import { LOCATION_ID_PATTERN } from "../locations/locations.ts";
import { MODEL_VERSION_PATTERN } from "../storage/keys.ts";
import { MAX_BATCH_ROWS } from "../serving/predict.ts";

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

export const ForecastQuery = z.object({
  location: LocationId.optional().openapi({ description: "location id (default: the configured default location)" }),
  at: z.iso
    .datetime({ offset: true, message: "at must be an ISO 8601 time with a zone, e.g. 2025-05-29T14:00:00Z" })
    .optional()
    .openapi({ description: "forecast as of this time (default now): issued from the latest observation at or before it" }),
});

const Holdout = z.object({
  from: Iso,
  to: Iso,
  n: z.number().int(),
  rmse: z.number().openapi({ description: "model RMSE on the holdout window, °C" }),
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

export const ForecastResponse = z
  .object({
    location: z.object({ id: z.string(), name: z.string(), nx: z.number().int(), ny: z.number().int() }),
    issued_at: Iso.openapi({ description: "the latest hour with an observed temperature at or before `at` (or now)" }),
    valid_at: Iso.openapi({ description: "issued_at + 24 h" }),
    horizon_hours: z.number().int(),
    temperature_c: z.number(),
    model: ModelSummary,
    baselines: z.object({
      persistence_c: z.number().openapi({ description: "T(issued_at)" }),
      kma_c: z.number().nullable().openapi({ description: "KMA short-term forecast for valid_at issued at or before issued_at, or null" }),
      kma_issued_at: Iso.nullable(),
      climatology_c: z.number().nullable().openapi({ description: "the model's climatology at valid_at" }),
    }),
    inputs: z.object({
      newest_observation_at: Iso,
      age_seconds: z.number().int().openapi({ description: "`at` (or now) minus issued_at" }),
      max_age_seconds: z.number().int(),
      window_from: Iso,
      observations_in_window: z.number().int(),
      missing_features: z.array(z.string()).openapi({ description: "features without a value for this row (treated as missing by the model)" }),
    }),
  })
  .openapi("Forecast");

// --- predict --------------------------------------------------------------------------------------

const FeatureRow = z.record(z.string(), z.unknown()).openapi({
  description: "feature name -> finite number, or null for a missing value; exactly the model's features (GET /v1/models/{version})",
  example: { hour_sin: 0.5, hour_cos: -0.866, ta_mean336_rel: -1.2, ws: 2.1, rn_sum3: 0, ta_anom_rel720: 0.8, ws_mean24: 1.9, ta_d3: 0.4, kma_t24_rel: null },
});

export const PredictRequest = z
  .strictObject({
    location: LocationId.optional(),
    features: FeatureRow.optional().openapi({ description: "one row" }),
    instances: z.array(FeatureRow).max(MAX_BATCH_ROWS, `at most ${MAX_BATCH_ROWS} instances per request`).optional().openapi({ description: `up to ${MAX_BATCH_ROWS} rows` }),
  })
  .refine((b) => (b.features === undefined) !== (b.instances === undefined), { message: 'send either "features" (one row) or "instances" (a list of rows)' })
  .openapi("PredictRequest", { description: `one row as "features", or up to ${MAX_BATCH_ROWS} rows as "instances"` });

export const PredictResponse = z
  .object({
    location: z.string(),
    model: z.object({ version: Version, feature_spec_version: z.string() }),
    target: z.object({
      name: z.string(),
      description: z.string(),
      unit: z.string(),
      is_temperature: z.boolean().openapi({ description: "true only for the `level` target; otherwise add the prediction to what the description says" }),
    }),
    output: z.literal("target").openapi({ description: "predictions are in the model's target space (see target)" }),
    predictions: z.array(z.number()),
  })
  .openapi("Predictions");

// --- registry, runs, jobs ---------------------------------------------------------------------------

export const LocationFilter = z.object({ location: LocationId.optional() });
export const ListQuery = z.object({
  location: LocationId.optional(),
  limit: z.coerce.number().int().min(1).max(500).optional().openapi({ description: "1..500, default 20 (50 for ingest runs)" }),
});

export const VersionParam = z.object({ version: Version.openapi({ param: { name: "version", in: "path" } }) });
export const JobParam = z.object({ name: z.string().max(64).openapi({ param: { name: "name", in: "path" }, example: "ingest" }) });

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
      z.object({ code: z.enum(["database_unavailable", "no_model", "stale_inputs", "model_lag", "model_refused"]), location: z.string().nullable(), message: z.string() }),
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
