// Serving settings from environment variables (Worker vars, or the process environment for
// `nalssi serve`). A value that is set but not a number in range is an error naming the variable.

export interface ServingConfig {
  /** MODEL_RELOAD_SECONDS (default 30): the production pointer is read at most this often. */
  modelReloadSeconds: number;
  /** FORECAST_MAX_AGE_MINUTES (default 180): older newest observation -> 409 stale inputs. */
  forecastMaxAgeMinutes: number;
  /** FORECAST_WINDOW_DAYS (default 35): days of observations read for the features (the longest looks back 30). */
  forecastWindowDays: number;
  /** FORECAST_CACHE_SECONDS (default 60): how long a computed forecast is reused. */
  forecastCacheSeconds: number;
  /** MODEL_CACHE_MAX_MODELS (default 128): production models kept in memory, least recently used evicted. */
  modelCacheMaxModels: number;
}

export const DEFAULT_SERVING_CONFIG: Readonly<ServingConfig> = Object.freeze({
  modelReloadSeconds: 30,
  forecastMaxAgeMinutes: 180,
  forecastWindowDays: 35,
  forecastCacheSeconds: 60,
  modelCacheMaxModels: 128,
});

export class ServingConfigError extends Error {
  override name = "ServingConfigError";
}

function num(env: Readonly<Record<string, unknown>>, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === null || (typeof raw === "string" && raw.trim() === "")) return fallback;
  const n = typeof raw === "number" ? raw : Number(String(raw).trim());
  if (!Number.isFinite(n) || n < min || n > max) throw new ServingConfigError(`${name} must be a number from ${min} to ${max}, got ${JSON.stringify(String(raw))}`);
  return n;
}

export function servingConfigFromEnv(env: Readonly<Record<string, unknown>>): ServingConfig {
  return {
    modelReloadSeconds: num(env, "MODEL_RELOAD_SECONDS", DEFAULT_SERVING_CONFIG.modelReloadSeconds, 0, 86_400),
    forecastMaxAgeMinutes: num(env, "FORECAST_MAX_AGE_MINUTES", DEFAULT_SERVING_CONFIG.forecastMaxAgeMinutes, 1, 60 * 24 * 365),
    forecastWindowDays: num(env, "FORECAST_WINDOW_DAYS", DEFAULT_SERVING_CONFIG.forecastWindowDays, 31, 400),
    forecastCacheSeconds: num(env, "FORECAST_CACHE_SECONDS", DEFAULT_SERVING_CONFIG.forecastCacheSeconds, 0, 3_600),
    modelCacheMaxModels: Math.trunc(num(env, "MODEL_CACHE_MAX_MODELS", DEFAULT_SERVING_CONFIG.modelCacheMaxModels, 1, 10_000)),
  };
}
