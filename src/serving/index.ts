// Serving: the production model per location in memory (reloaded when the registry's pointer moves),
// forecasts from the latest observations, and checked feature rows for /v1/predict. Runtime-agnostic.
import type { Clock } from "../ports/clock.ts";
import type { Database } from "../ports/database.ts";
import type { Logger } from "../ports/logger.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import type { ServingConfig } from "./config.ts";
import { ForecastService } from "./forecast-service.ts";
import { ModelCache } from "./model-cache.ts";

export { DEFAULT_SERVING_CONFIG, ServingConfigError, servingConfigFromEnv, type ServingConfig, type ServingSettings } from "./config.ts";
export { ForecastService, type ComputedHourly, type ForecastAnswer, type ForecastServiceOptions, type HourlyAnswer } from "./forecast-service.ts";
export type { HoldoutLeads } from "./holdout-leads.ts";
export { ModelCache, type ModelCacheOptions, type ModelStatus } from "./model-cache.ts";
export { loadProductionModel, type LoadedModel } from "./load-model.ts";
export { MAX_BATCH_ROWS, predictRows, targetDescription } from "./predict.ts";
export { JOB_NAMES, JobUnavailableError, type JobName, type JobRequest, type JobResult, type JobRunner, type JobRunners } from "./job-runners.ts";
export * from "./errors.ts";

export interface Serving {
  models: ModelCache;
  forecasts: ForecastService;
}

/**
 * The model cache and the forecast service over one database and object store. `modelClock` (default
 * `clock`) times the model cache's reloads: real time even when `clock` replays the past.
 */
export function createServing(
  deps: { db: Database; objects: Pick<ObjectStore, "get">; clock: Clock; modelClock?: Clock; logger: Logger },
  config: ServingConfig,
  options: { staleWhileChecking?: boolean } = {},
): Serving {
  const models = new ModelCache(
    { db: deps.db, objects: deps.objects, clock: deps.modelClock ?? deps.clock, logger: deps.logger },
    { checkIntervalMs: config.modelReloadSeconds * 1000, maxModels: config.modelCacheMaxModels, staleWhileChecking: options.staleWhileChecking ?? false },
  );
  const forecasts = new ForecastService(
    { db: deps.db, models, clock: deps.clock },
    { windowDays: config.forecastWindowDays, maxInputAgeMs: config.forecastMaxAgeMinutes * 60_000, cacheMs: config.forecastCacheSeconds * 1000 },
  );
  return { models, forecasts };
}
