// GET /v1/forecast behind HTTP: the production model (ModelCache), the latest observations of the
// location (the window the features need, serving-series.ts) and the staleness rule. Computed forecasts
// are kept for `cacheMs` per (location, model version, issue-window hour) and concurrent requests
// for the same key share one computation, so a burst of requests reads the database once; the age
// of the inputs is judged on every request against the current time.
import { DAY_MS, HOUR_MS, type HourlySeries } from "../model/series.ts";
import type { Clock } from "../ports/clock.ts";
import type { Database } from "../ports/database.ts";
import { MAX_LEAD_HOURS } from "../model/lead-features.ts";
import { InputsUnavailableError, NoModelError, ServingInputError } from "./errors.ts";
import { computeForecast, type ComputedForecast } from "./forecast.ts";
import { type HourlyForecast, hourlyForecast, NoIssueHourError } from "./hourly-forecast.ts";
import { loadHourlyServingSeries, loadHourlyServingSeriesMany, loadServingSeries } from "./serving-series.ts";
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

/** The 1..48 h forecast and what it was made from. */
export interface ComputedHourly extends HourlyForecast {
  location: string;
  version: string;
  /** The newest observation hour of any field (epoch ms). */
  newestObservationAt: number;
  windowFrom: number;
  observationsInWindow: number;
}

export interface HourlyAnswer {
  forecast: ComputedHourly;
  model: LoadedModel;
  at: number;
  inputAgeMs: number;
  maxInputAgeMs: number;
  cached: boolean;
}

type Entry = { expires: number; value: Promise<unknown> };

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

  /** The 24 h forecast of the legacy single-lead model (the `npm start` summary's fallback, hindcasts). */
  async forecast(location: string, at?: Date): Promise<ForecastAnswer> {
    const { now, atMs } = this.#requestTime(at);
    const model = await this.#deps.models.get(location);
    const hour = Math.floor(atMs / HOUR_MS) * HOUR_MS;
    const { value: forecast, cached } = await this.#shared(`24|${location}|${model.version}|${hour}`, now, () => this.#compute(model, hour));
    const inputAgeMs = this.#checkAge(location, at, atMs, forecast.issuedAt);
    return { forecast, model, at: atMs, inputAgeMs, maxInputAgeMs: this.#o.maxInputAgeMs, cached };
  }

  /**
   * The 1..48 h forecast (point, 80 % and 95 % intervals, baselines per lead) of the production
   * model set, issued at the latest observed temperature at or before `at` (default now). Cached and
   * shared like forecast(); NoModelError when the production version has no 1..48 h set.
   */
  async hourly(location: string, at?: Date): Promise<HourlyAnswer> {
    const { now, atMs } = this.#requestTime(at);
    const model = await this.#deps.models.get(location);
    if (!model.hourly) {
      throw new NoModelError(
        location,
        `the production model ${model.version} of ${location} has no 1..48 h model set (it was trained before them): train and promote a new version`,
      );
    }
    const hour = Math.floor(atMs / HOUR_MS) * HOUR_MS;
    const { value: forecast, cached } = await this.#shared(`48|${location}|${model.version}|${hour}`, now, () => this.#computeHourly(model, hour));
    const inputAgeMs = this.#checkAge(location, at, atMs, forecast.issuedAt);
    return { forecast, model, at: atMs, inputAgeMs, maxInputAgeMs: this.#o.maxInputAgeMs, cached };
  }

  /**
   * hourly() for several locations, answers in request order; the first failure fails the call. The
   * observation windows of the locations not cached are read in ONE query, their KMA forecasts in one more.
   */
  async hourlyMany(locations: readonly string[], at?: Date): Promise<HourlyAnswer[]> {
    if (locations.length <= 1) return Promise.all(locations.map((l) => this.hourly(l, at)));
    const { now, atMs } = this.#requestTime(at);
    const hour = Math.floor(atMs / HOUR_MS) * HOUR_MS;
    const ids = [...new Set(locations)];
    const models = await Promise.all(ids.map((l) => this.#deps.models.get(l)));
    const todo: LoadedModel[] = [];
    for (const m of models) {
      if (!m.hourly) continue; // hourly() below says why
      const e = this.#cache.get(`48|${m.location}|${m.version}|${hour}`);
      if (!e || e.expires <= now) todo.push(m);
    }
    if (todo.length > 1) {
      const before = hour + HOUR_MS;
      const windowFrom = before - this.#o.windowDays * DAY_MS;
      const batch = loadHourlyServingSeriesMany(
        this.#deps.db,
        todo.map((m) => m.location),
        windowFrom,
        before,
        MAX_LEAD_HOURS,
      );
      batch.catch(() => undefined); // each entry below reports it
      for (const m of todo) {
        const entry = { expires: now + this.#o.cacheMs, value: batch.then((all) => this.#computeHourly(m, hour, all.get(m.location)!)) };
        this.#remember(`48|${m.location}|${m.version}|${hour}`, entry, now);
      }
    }
    return Promise.all(locations.map((l) => this.hourly(l, at)));
  }

  #requestTime(at: Date | undefined): { now: number; atMs: number } {
    const now = this.#deps.clock.now().getTime();
    const atMs = at === undefined ? now : at.getTime();
    if (!Number.isFinite(atMs)) throw new ServingInputError("at is not a valid time");
    if (atMs > now + this.#o.futureToleranceMs) {
      throw new ServingInputError(
        `at ${new Date(atMs).toISOString()} is in the future (now ${new Date(now).toISOString()}): a forecast is issued from observations that exist`,
      );
    }
    return { now, atMs };
  }

  /** One computation per key while it is fresh; concurrent callers share it. */
  async #shared<T>(key: string, now: number, compute: () => Promise<T>): Promise<{ value: T; cached: boolean }> {
    let entry = this.#cache.get(key);
    let cached = true;
    if (!entry || entry.expires <= now) {
      cached = false;
      entry = { expires: now + this.#o.cacheMs, value: compute() };
      this.#remember(key, entry, now);
    }
    try {
      return { value: (await entry.value) as T, cached };
    } catch (e) {
      // Missing inputs are an answer (kept like a forecast); anything else is not kept.
      if (!(e instanceof InputsUnavailableError) && this.#cache.get(key) === entry) this.#cache.delete(key);
      throw e;
    }
  }

  /** at - issuedAt, or InputsUnavailableError('stale') when that is over the limit. */
  #checkAge(location: string, at: Date | undefined, atMs: number, issuedAt: number): number {
    const inputAgeMs = atMs - issuedAt;
    if (inputAgeMs > this.#o.maxInputAgeMs) {
      throw new InputsUnavailableError(
        "stale",
        `the newest observed temperature for ${location} is from ${new Date(issuedAt).toISOString()}, ${formatAge(inputAgeMs)} before ${at === undefined ? "now" : "the requested time"}; forecasts need one at most ${formatAge(this.#o.maxInputAgeMs)} old (is the hourly ingest running?)`,
        {
          missing: ["recent temperature observation"],
          newest_observation_at: new Date(issuedAt).toISOString(),
          age_seconds: Math.round(inputAgeMs / 1000),
          max_age_seconds: Math.round(this.#o.maxInputAgeMs / 1000),
        },
      );
    }
    return inputAgeMs;
  }

  async #computeHourly(model: LoadedModel, hour: number, read?: HourlySeries): Promise<ComputedHourly> {
    const before = hour + HOUR_MS;
    const windowFrom = before - this.#o.windowDays * DAY_MS;
    const series = read ?? (await loadHourlyServingSeries(this.#deps.db, model.location, windowFrom, before, MAX_LEAD_HOURS));
    if (!series.observations.some((o) => typeof o.temperature === "number")) {
      const missing = new InputsUnavailableError(
        "missing",
        `no observed temperature for ${model.location} in the ${this.#o.windowDays} days from ${new Date(windowFrom).toISOString()}: ingest observations first (nalssi ingest / backfill / import)`,
        {
          missing: ["temperature"],
          window_from: new Date(windowFrom).toISOString(),
          window_days: this.#o.windowDays,
          observations_in_window: series.observations.length,
        },
      );
      throw await this.#staleOrMissing(model.location, windowFrom, hour, missing);
    }
    let f: HourlyForecast;
    try {
      f = hourlyForecast(model.hourly!, series);
    } catch (e) {
      if (e instanceof NoIssueHourError) throw new InputsUnavailableError("missing", e.message, { missing: ["temperature"] });
      throw e;
    }
    return {
      ...f,
      location: model.location,
      version: model.version,
      newestObservationAt: series.observations[series.observations.length - 1]!.time,
      windowFrom,
      observationsInWindow: series.observations.length,
    };
  }

  /** Nothing in the window: if older observations exist, the inputs are stale rather than missing. */
  async #staleOrMissing(location: string, windowFrom: number, hour: number, missing: InputsUnavailableError): Promise<InputsUnavailableError> {
    const newest = await newestObservedAt(this.#deps.db, location, new Date(windowFrom));
    if (newest === null) return missing;
    const newestAt = Date.parse(String(newest));
    return new InputsUnavailableError(
      "stale",
      `the newest observed temperature for ${location} is from ${new Date(newestAt).toISOString()}, more than the ${this.#o.windowDays} days the features read before ${new Date(hour).toISOString()} (is the hourly ingest running?)`,
      { missing: ["recent temperature observation"], newest_observation_at: new Date(newestAt).toISOString(), window_days: this.#o.windowDays },
    );
  }

  async #compute(model: LoadedModel, hour: number): Promise<ComputedForecast> {
    const before = hour + HOUR_MS;
    const windowFrom = before - this.#o.windowDays * DAY_MS;
    const series = await loadServingSeries(this.#deps.db, model.location, windowFrom, before);
    try {
      return computeForecast(model, series, windowFrom, this.#o.windowDays);
    } catch (e) {
      if (!(e instanceof InputsUnavailableError) || e.kind !== "missing" || series.observations.some((o) => typeof o.temperature === "number")) throw e;
      throw await this.#staleOrMissing(model.location, windowFrom, hour, e);
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
