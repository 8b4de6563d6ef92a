// Each process (Worker isolate, `nalssi serve`) keeps the production model of every location in
// memory and notices a promotion by itself: it reads the registry's production pointer (one
// primary-key read) at most every `checkIntervalMs`, and at once on reload(). A new pointer is
// loaded (checksums, parsing, compatibility: load-model.ts) while the previous model keeps serving;
// only an accepted model replaces it. Concurrent requests share one check and one load
// (single-flight). A refused version is not downloaded again on every check: it is retried after
// `retryRefusedMs`, or on reload(). Runtime-agnostic; time comes from the injected clock.
import type { Logger } from "../ports/logger.ts";
import { getProduction, type ProductionModel } from "../registry/aliases.ts";
import { ModelRefusedError, NoModelError, RegistryUnavailableError, type RefusalReason } from "./errors.ts";
import { type LoadedModel, loadProductionModel, type ModelLoaderDeps } from "./load-model.ts";

export interface ModelCacheOptions {
  /** Read the production pointer at most this often per location (ms); MODEL_RELOAD_SECONDS x 1000. */
  checkIntervalMs: number;
  /** Try a refused version again after this long (ms). Default: max(10 x checkIntervalMs, 60 s). */
  retryRefusedMs?: number;
  /**
   * At most this many models in memory (default DEFAULT_MAX_MODELS, every ASOS station fits). Loading
   * one more evicts the least recently used location's model: its next request reads the pointer and
   * loads it again. bench/model-cache-memory.bench.ts measures the memory per model.
   */
  maxModels?: number;
  /**
   * Once a model is loaded, answer with it while a due pointer read (and any load) runs in the
   * background, instead of making the request wait for the database (default false). For
   * long-running servers (`nalssi serve`): no request waits behind a reload or a slow database; a
   * promotion is served from the first request after the read, i.e. within the interval plus one
   * pointer read and load. Not for Workers, where work outliving its request may be cancelled.
   */
  staleWhileChecking?: boolean;
}

/** 128: the 96 ASOS stations and some custom points (MODEL_CACHE_MAX_MODELS). */
export const DEFAULT_MAX_MODELS = 128;

export interface ModelCacheDeps extends ModelLoaderDeps {
  logger: Logger;
}

interface Refusal {
  version: string;
  modelSha256: string;
  featureSpecSha256: string;
  at: number;
  reason: RefusalReason;
  message: string;
}

interface LocationState {
  current: LoadedModel | null;
  /** When the pointer was last read (epoch ms), or -Infinity. */
  checkedAt: number;
  inflight: Promise<void> | null;
  inflightForced: boolean;
  refused: Refusal | null;
  /** The pointer said: no production version. */
  noProduction: boolean;
  /** The last failed pointer read or load that was not a refusal (database or object store down). */
  lastFailure: { at: string; message: string } | null;
}

/** What a location's model state is (for /healthz and the admin reload answer). */
export interface ModelStatus {
  location: string;
  version: string | null;
  loadedAt: string | null;
  /** How long loading the served model took (artifact reads, checksums, parsing), ms. */
  loadMs: number | null;
  checkedAt: string | null;
  refused: { version: string; reason: RefusalReason; message: string; at: string } | null;
  lastFailure: { at: string; message: string } | null;
  noProduction: boolean;
}

const samePointer = (a: Pick<ProductionModel, "version" | "modelSha256" | "featureSpecSha256">, b: ProductionModel) =>
  a.version === b.version && a.modelSha256 === b.modelSha256 && a.featureSpecSha256 === b.featureSpecSha256;

export class ModelCache {
  readonly #deps: ModelCacheDeps;
  readonly #interval: number;
  readonly #retryRefused: number;
  readonly #maxModels: number;
  /** In least-recently-used order: get() and reload() move a location to the end. */
  readonly #staleWhileChecking: boolean;
  readonly #states = new Map<string, LocationState>();
  #evictions = 0;

  constructor(deps: ModelCacheDeps, options: ModelCacheOptions) {
    if (!Number.isFinite(options.checkIntervalMs) || options.checkIntervalMs < 0) {
      throw new RangeError(`checkIntervalMs must be a finite number of milliseconds >= 0, got ${options.checkIntervalMs}`);
    }
    this.#deps = deps;
    this.#interval = options.checkIntervalMs;
    this.#retryRefused = options.retryRefusedMs ?? Math.max(10 * options.checkIntervalMs, 60_000);
    const max = options.maxModels ?? DEFAULT_MAX_MODELS;
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxModels must be a whole number >= 1, got ${max}`);
    this.#maxModels = max;
    this.#staleWhileChecking = options.staleWhileChecking ?? false;
  }

  /** Models in memory now, the bound, and how many were evicted to keep it. */
  get size(): { models: number; maxModels: number; evictions: number } {
    let models = 0;
    for (const s of this.#states.values()) if (s.current) models++;
    return { models, maxModels: this.#maxModels, evictions: this.#evictions };
  }

  /** Marks the location most recently used. */
  #touch(location: string, s: LocationState): void {
    this.#states.delete(location);
    this.#states.set(location, s);
  }

  /** Drops least recently used models (never `keep`'s, never one being loaded) until the bound holds. */
  #evict(keep: string): void {
    let models = this.size.models;
    for (const [location, s] of this.#states) {
      if (models <= this.#maxModels) break;
      if (location === keep || !s.current || s.inflight) continue;
      this.#states.delete(location);
      models--;
      this.#evictions++;
      this.#deps.logger.info("production model evicted from memory (cache bound)", { location, version: s.current.version, max_models: this.#maxModels });
    }
  }

  get checkIntervalMs(): number {
    return this.#interval;
  }

  #state(location: string): LocationState {
    let s = this.#states.get(location);
    if (!s) {
      s = { current: null, checkedAt: -Infinity, inflight: null, inflightForced: false, refused: null, noProduction: false, lastFailure: null };
      this.#states.set(location, s);
    }
    return s;
  }

  #now(): number {
    return this.#deps.clock.now().getTime();
  }

  /**
   * The model to serve the location with. Reads the pointer when the last read is older than the
   * interval, waiting for it (a request never sees a model older than the interval allows) unless
   * `staleWhileChecking` and a model is loaded, which answers at once while the read runs. Throws
   * NoModelError / RegistryUnavailableError when there is nothing to serve.
   */
  async get(location: string): Promise<LoadedModel> {
    const s = this.#state(location);
    this.#touch(location, s);
    if (this.#now() - s.checkedAt >= this.#interval || s.inflight) {
      const check = this.#check(location, s, false);
      if (this.#staleWhileChecking && s.current) {
        // #run handles its own failures; anything else is a bug to log, not to crash on.
        check.catch((e: unknown) => this.#deps.logger.error("model check failed", { location, error: (e as Error).message }));
      } else await check;
    }
    if (s.current) return s.current;
    throw this.#unavailable(location, s);
  }

  /** Resolves when no pointer read or load is running for the location (for tests and shutdown). */
  async settled(location: string): Promise<void> {
    const s = this.#states.get(location);
    while (s?.inflight) await s.inflight;
  }

  /** The loaded model, without reading the pointer. */
  peek(location: string): LoadedModel | null {
    return this.#states.get(location)?.current ?? null;
  }

  /** Reads the pointer now (and retries a refused version); returns the resulting status. */
  async reload(location: string): Promise<ModelStatus> {
    const s = this.#state(location);
    this.#touch(location, s);
    if (s.inflight && !s.inflightForced) await s.inflight;
    await this.#check(location, s, true);
    return this.status(location);
  }

  status(location: string): ModelStatus {
    const s = this.#state(location);
    return {
      location,
      version: s.current?.version ?? null,
      loadedAt: s.current?.loadedAt ?? null,
      loadMs: s.current ? Math.round(s.current.loadMs * 10) / 10 : null,
      checkedAt: Number.isFinite(s.checkedAt) ? new Date(s.checkedAt).toISOString() : null,
      refused: s.refused
        ? { version: s.refused.version, reason: s.refused.reason, message: s.refused.message, at: new Date(s.refused.at).toISOString() }
        : null,
      lastFailure: s.lastFailure,
      noProduction: s.noProduction,
    };
  }

  #check(location: string, s: LocationState, force: boolean): Promise<void> {
    if (s.inflight) return s.inflight;
    s.inflightForced = force;
    s.inflight = this.#run(location, s, force).finally(() => {
      s.inflight = null;
      s.inflightForced = false;
    });
    return s.inflight;
  }

  async #run(location: string, s: LocationState, force: boolean): Promise<void> {
    const { logger } = this.#deps;
    let pointer: ProductionModel | null;
    try {
      pointer = await getProduction(this.#deps.db, location);
    } catch (e) {
      s.checkedAt = this.#now();
      s.lastFailure = { at: new Date(s.checkedAt).toISOString(), message: `could not read the production pointer: ${(e as Error).message}` };
      logger.warn("could not read the production model pointer; keeping the loaded model", {
        location,
        version: s.current?.version ?? null,
        error: (e as Error).message,
      });
      return;
    }
    s.checkedAt = this.#now();
    s.noProduction = pointer === null;
    if (pointer === null) {
      if (s.current) logger.warn("the location has no production model any more; serving stops", { location, was: s.current.version });
      s.current = null;
      s.lastFailure = null;
      return;
    }
    if (s.current && samePointer(s.current.production, pointer)) {
      s.lastFailure = null;
      return;
    }
    if (!force && s.refused && samePointer(s.refused, pointer) && s.checkedAt - s.refused.at < this.#retryRefused) return;
    try {
      const loaded = await loadProductionModel(this.#deps, pointer);
      const previous = s.current?.version ?? null;
      s.current = loaded;
      s.refused = null;
      s.lastFailure = null;
      this.#evict(location);
      if (loaded.compiled.problem !== null) {
        logger.warn("compiled model unusable; model.txt was parsed instead", { location, version: loaded.version, error: loaded.compiled.problem });
      }
      logger.info("production model loaded", {
        location,
        version: loaded.version,
        previous,
        trees: loaded.model.info.numTrees,
        compiled: loaded.compiled.used,
        load_ms: Math.round(loaded.loadMs * 10) / 10,
      });
    } catch (e) {
      if (e instanceof ModelRefusedError) {
        s.refused = {
          version: pointer.version,
          modelSha256: pointer.modelSha256,
          featureSpecSha256: pointer.featureSpecSha256,
          at: this.#now(),
          reason: e.reason,
          message: e.message,
        };
        s.lastFailure = null;
        logger.error("production model refused; the previous model keeps serving", {
          location,
          version: pointer.version,
          reason: e.reason,
          error: e.message,
          serving: s.current?.version ?? null,
        });
      } else {
        s.lastFailure = { at: new Date(this.#now()).toISOString(), message: `could not load ${pointer.version}: ${(e as Error).message}` };
        logger.warn("could not load the production model; keeping the loaded model", {
          location,
          version: pointer.version,
          error: (e as Error).message,
          serving: s.current?.version ?? null,
        });
      }
    }
  }

  #unavailable(location: string, s: LocationState): Error {
    if (s.refused) {
      return new NoModelError(
        location,
        `the production model ${s.refused.version} of ${location} was refused (${s.refused.reason}) and no earlier model is loaded: ${s.refused.message}`,
      );
    }
    if (s.noProduction)
      return new NoModelError(
        location,
        `${location} has no production model: train one and promote it (nalssi promote <version>, or POST /v1/models/{version}/promote)`,
      );
    return new RegistryUnavailableError(`the production model of ${location} could not be read (database or object store unavailable) and none is loaded yet`);
  }
}
