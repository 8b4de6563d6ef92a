// What /healthz answers, kept fresh in the background so a request does no database work: at most
// one refresh every `refreshMs` (a real `SELECT 1`, the production pointer and the newest observed
// temperature per location, and the model cache's own reload check). A request reads the last
// refresh and ages it to now; when it is older than `refreshMs` the request starts the next refresh
// without waiting for it (the very first request waits for the first one).
//
//   unhealthy (503): the database does not answer (file gone, server down), or a location has no
//                    model at all: a load balancer should send traffic elsewhere;
//   degraded  (200): it serves, but the forecast would answer 409 (the newest observation is older
//                    than the forecast's max input age), or it serves an older model than the
//                    production alias for longer than the reload interval, or a new version was refused;
//   ok        (200): none of these.
import { newestObservedAt } from "../db/observations.ts";
import type { Location } from "../locations/locations.ts";
import type { Clock } from "../ports/clock.ts";
import type { Database } from "../ports/database.ts";
import type { Logger } from "../ports/logger.ts";
import { getAlias } from "../registry/aliases.ts";
import type { ModelCache } from "./model-cache.ts";

export type HealthStatus = "ok" | "degraded" | "unhealthy";
export type HealthReasonCode = "database_unavailable" | "no_model" | "stale_inputs" | "model_lag" | "model_refused";

export interface HealthReason {
  code: HealthReasonCode;
  location: string | null;
  message: string;
}

export interface LocationHealth {
  id: string;
  model_version: string | null;
  model_loaded_at: string | null;
  model_problem: string | null;
  production_version: string | null;
  newest_observation_at: string | null;
  newest_observation_age_seconds: number | null;
}

export interface HealthReport {
  status: HealthStatus;
  reasons: HealthReason[];
  database: { reachable: boolean; error: string | null };
  locations: LocationHealth[];
  model_reload_seconds: number;
  /** When the state behind this answer was read from the database. */
  checked_at: string | null;
}

export interface HealthMonitorDeps {
  db: Pick<Database, "execute">;
  clock: Clock;
  logger: Logger;
  models: ModelCache;
  locations: readonly Location[];
  /** The forecast's limit on the newest observation's age (it answers 409 beyond). */
  maxInputAgeMs: number;
}

interface LocationState {
  production: string | null;
  newest: string | null;
  /** Since when (epoch ms) the served version differs from the production alias. */
  lagSince: number | null;
}

interface State {
  at: number;
  dbError: string | null;
  locations: Map<string, LocationState>;
}

/** Default: a real check at most every 5 s. */
export const HEALTH_REFRESH_MS = 5_000;

export class HealthMonitor {
  readonly #d: HealthMonitorDeps;
  readonly #refreshMs: number;
  #state: State | undefined;
  #inflight: Promise<void> | undefined;
  /** Database round trips made by refreshes (for tests and figures). */
  refreshes = 0;

  constructor(deps: HealthMonitorDeps, o: { refreshMs?: number } = {}) {
    this.#d = deps;
    this.#refreshMs = o.refreshMs ?? HEALTH_REFRESH_MS;
  }

  /**
   * The report as of now. `background` receives a refresh started by this call (a Worker passes
   * ctx.waitUntil); the first call waits for the first refresh.
   */
  async report(background?: (p: Promise<void>) => void): Promise<HealthReport> {
    const now = this.#d.clock.now().getTime();
    if (this.#state === undefined) await this.refresh();
    else if (now - this.#state.at >= this.#refreshMs && this.#inflight === undefined) {
      const p = this.refresh();
      background?.(p);
    }
    return this.#compose(now);
  }

  /** Reads the state now (single-flight). Never throws. */
  refresh(): Promise<void> {
    this.#inflight ??= this.#read().finally(() => (this.#inflight = undefined));
    return this.#inflight;
  }

  async #read(): Promise<void> {
    this.refreshes++;
    const d = this.#d;
    const prev = this.#state;
    let dbError: string | null = null;
    try {
      await d.db.execute("SELECT 1");
    } catch (e) {
      dbError = "the database did not answer";
      d.logger.warn("health check: database unavailable", { error: (e as Error).message });
    }
    const locations = new Map<string, LocationState>();
    for (const l of d.locations) {
      // the model cache's own interval decides whether this reads the pointer again
      await d.models.get(l.id).catch(() => undefined);
      let production: string | null = prev?.locations.get(l.id)?.production ?? null;
      let newest: string | null = prev?.locations.get(l.id)?.newest ?? null;
      if (dbError === null) {
        try {
          production = (await getAlias(d.db, l.id, "production"))?.version ?? null;
          newest = await newestObservedAt(d.db, l.id);
        } catch (e) {
          dbError = "the database did not answer";
          d.logger.warn("health check: database unavailable", { error: (e as Error).message });
        }
      }
      const served = d.models.status(l.id).version;
      const lagging = production !== null && served !== production;
      const was = prev?.locations.get(l.id)?.lagSince ?? null;
      locations.set(l.id, { production, newest, lagSince: lagging ? (was ?? d.clock.now().getTime()) : null });
    }
    this.#state = { at: d.clock.now().getTime(), dbError, locations };
  }

  #compose(now: number): HealthReport {
    const d = this.#d;
    const s = this.#state!;
    const reasons: HealthReason[] = [];
    if (s.dbError !== null) reasons.push({ code: "database_unavailable", location: null, message: s.dbError });
    const reloadMs = d.models.checkIntervalMs;
    const locations = d.locations.map((l): LocationHealth => {
      const ls = s.locations.get(l.id) ?? { production: null, newest: null, lagSince: null };
      const status = d.models.status(l.id);
      let problem: string | null = null;
      if (status.version === null) {
        problem = status.lastFailure?.message ?? (status.noProduction ? `no production model for ${l.id}` : `no model loaded for ${l.id}`);
        reasons.push({ code: "no_model", location: l.id, message: problem });
      } else if (status.refused) {
        problem = `serving ${status.version}; ${status.refused.message}`;
        reasons.push({ code: "model_refused", location: l.id, message: problem });
      }
      if (status.version !== null && ls.lagSince !== null && now - ls.lagSince > reloadMs && !status.refused) {
        reasons.push({
          code: "model_lag",
          location: l.id,
          message: `serving ${status.version} while production is ${ls.production} for ${Math.round((now - ls.lagSince) / 1000)} s (reload interval ${reloadMs / 1000} s)`,
        });
      }
      const age = ls.newest === null ? null : now - Date.parse(ls.newest);
      if (age === null || age > d.maxInputAgeMs) {
        reasons.push({
          code: "stale_inputs",
          location: l.id,
          message:
            age === null
              ? `no observed temperature for ${l.id}: the forecast answers 409`
              : `the newest observation for ${l.id} is ${(age / 3_600_000).toFixed(1)} h old (limit ${(d.maxInputAgeMs / 3_600_000).toFixed(1)} h): the forecast answers 409`,
        });
      }
      return {
        id: l.id,
        model_version: status.version,
        model_loaded_at: status.loadedAt,
        model_problem: problem,
        production_version: ls.production,
        newest_observation_at: ls.newest,
        newest_observation_age_seconds: age === null ? null : Math.round(age / 1000),
      };
    });
    const unhealthy = reasons.some((r) => r.code === "database_unavailable" || r.code === "no_model");
    return {
      status: unhealthy ? "unhealthy" : reasons.length > 0 ? "degraded" : "ok",
      reasons,
      database: { reachable: s.dbError === null, error: s.dbError },
      locations,
      model_reload_seconds: reloadMs / 1000,
      checked_at: new Date(s.at).toISOString().replace(".000Z", "Z"),
    };
  }
}
