// GET /v1/forecast behind HTTP: the production model (ModelCache), the latest observations of the
// location (the window the features need, serving-series.ts) and the staleness rule. Computed forecasts
// are kept for `cacheMs` per (location, model version, issue-window hour) and concurrent requests
// for the same key share one computation, so a burst of requests reads the database once; the age
// of the inputs is judged on every request against the current time.
import { DAY_MS, HOUR_MS } from "../model/series.ts";
import type { Clock } from "../ports/clock.ts";
import type { Database } from "../ports/database.ts";
import { InputsUnavailableError, ServingInputError } from "./errors.ts";
import { computeForecast, type ComputedForecast } from "./forecast.ts";
import { loadServingSeries } from "./serving-series.ts";
import type { LoadedModel } from "./load-model.ts";
import type { ModelCache } from "./model-cache.ts";
import { newestObservedAt } from "../db/observations.ts";

export interface ForecastServiceOptions {
  /** Days of observations read before the issue hour (the longest feature looks back 30 days). */
  windowDays: number;
  /** Inputs older than this (issue hour to request time) are stale: 409. */
  maxInputAgeMs: number;
  /** How long a computed forecast is reused (0: never). */
  cacheMs: number;
  /** Most cached forecasts kept (oldest dropped first). */
  maxCacheEntries?: number;
  /** Requests for a time later than now + this are refused (clock skew allowance). */
  futureToleranceMs?: number;
}

export interface ForecastServiceDeps {
  db: Pick<Database, "execute">;
  models: ModelCache;
  clock: Clock;
}

export interface ForecastAnswer {
  forecast: ComputedForecast;
  model: LoadedModel;
  /** The request time the forecast answers for (epoch ms). */
  at: number;
  /** at - issuedAt. */
  inputAgeMs: number;
  maxInputAgeMs: number;
  cached: boolean;
}

type Entry = { expires: number; value: Promise<ComputedForecast> };

export class ForecastService {
  readonly #deps: ForecastServiceDeps;
  readonly #o: Required<ForecastServiceOptions>;
  readonly #cache = new Map<string, Entry>();

  constructor(deps: ForecastServiceDeps, options: ForecastServiceOptions) {
    for (const [k, v] of Object.entries(options)) {
      if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new RangeError(`forecast option ${k} must be a finite number >= 0, got ${String(v)}`);
    }
    if (options.windowDays < 2) throw new RangeError(`windowDays must be at least 2, got ${options.windowDays}`);
    this.#deps = deps;
    this.#o = { maxCacheEntries: 256, futureToleranceMs: 60_000, ...options };
  }

  get options(): Readonly<Required<ForecastServiceOptions>> {
    return this.#o;
  }

  async forecast(location: string, at?: Date): Promise<ForecastAnswer> {
    const now = this.#deps.clock.now().getTime();
    const atMs = at === undefined ? now : at.getTime();
    if (!Number.isFinite(atMs)) throw new ServingInputError("at is not a valid time");
    if (atMs > now + this.#o.futureToleranceMs) {
      throw new ServingInputError(`at ${new Date(atMs).toISOString()} is in the future (now ${new Date(now).toISOString()}): a forecast is issued from observations that exist`);
    }
    const model = await this.#deps.models.get(location);
    const hour = Math.floor(atMs / HOUR_MS) * HOUR_MS;
    const key = `${location}|${model.version}|${hour}`;
    let entry = this.#cache.get(key);
    let cached = true;
    if (!entry || entry.expires <= now) {
      cached = false;
      entry = { expires: now + this.#o.cacheMs, value: this.#compute(model, hour) };
      this.#remember(key, entry, now);
    }
    let forecast: ComputedForecast;
    try {
      forecast = await entry.value;
    } catch (e) {
      // Missing inputs are an answer (kept like a forecast); anything else is not kept.
      if (!(e instanceof InputsUnavailableError) && this.#cache.get(key) === entry) this.#cache.delete(key);
      throw e;
    }
    const inputAgeMs = atMs - forecast.issuedAt;
    if (inputAgeMs > this.#o.maxInputAgeMs) {
      throw new InputsUnavailableError(
        "stale",
        `the newest observed temperature for ${location} is from ${new Date(forecast.issuedAt).toISOString()}, ${formatAge(inputAgeMs)} before ${at === undefined ? "now" : "the requested time"}; forecasts need one at most ${formatAge(this.#o.maxInputAgeMs)} old (is the hourly ingest running?)`,
        {
          missing: ["recent temperature observation"],
          newest_observation_at: new Date(forecast.issuedAt).toISOString(),
          age_seconds: Math.round(inputAgeMs / 1000),
          max_age_seconds: Math.round(this.#o.maxInputAgeMs / 1000),
        },
      );
    }
    return { forecast, model, at: atMs, inputAgeMs, maxInputAgeMs: this.#o.maxInputAgeMs, cached };
  }

  async #compute(model: LoadedModel, hour: number): Promise<ComputedForecast> {
    const before = hour + HOUR_MS;
    const windowFrom = before - this.#o.windowDays * DAY_MS;
    const series = await loadServingSeries(this.#deps.db, model.location, windowFrom, before);
    try {
      return computeForecast(model, series, windowFrom, this.#o.windowDays);
    } catch (e) {
      // Nothing in the window: if older observations exist, the inputs are stale rather than missing.
      if (!(e instanceof InputsUnavailableError) || e.kind !== "missing" || series.observations.some((o) => typeof o.temperature === "number")) throw e;
      const newest = await newestObservedAt(this.#deps.db, model.location, new Date(windowFrom));
      if (newest === null) throw e;
      const newestAt = Date.parse(newest);
      throw new InputsUnavailableError(
        "stale",
        `the newest observed temperature for ${model.location} is from ${new Date(newestAt).toISOString()}, more than the ${this.#o.windowDays} days the features read before ${new Date(hour).toISOString()} (is the hourly ingest running?)`,
        { missing: ["recent temperature observation"], newest_observation_at: new Date(newestAt).toISOString(), window_days: this.#o.windowDays },
      );
    }
  }

  #remember(key: string, entry: Entry, now: number): void {
    this.#cache.delete(key);
    this.#cache.set(key, entry);
    if (this.#cache.size <= this.#o.maxCacheEntries) return;
    for (const [k, e] of this.#cache) {
      if (this.#cache.size <= this.#o.maxCacheEntries) break;
      if (e.expires <= now || k !== key) this.#cache.delete(k);
    }
  }
}

export function formatAge(ms: number): string {
  const m = Math.round(ms / 60_000);
  if (m < 120) return `${m} min`;
  const h = ms / HOUR_MS;
  return h < 72 ? `${h.toFixed(1)} h` : `${(h / 24).toFixed(1)} days`;
}
