// The composition root: builds the one Hono app and what it runs on (model cache, forecast service,
// job runners, clock, logger, redactor) from the ports a runtime provides. Runtime-free; used by the
// Worker (src/adapters/workers/worker-app.ts), `nalssi serve` (src/cli/commands/serve.ts) and
// `nalssi start` (src/cli/start/server.ts). Each runtime opens its own database and object store,
// and chooses its loadLightGBM and its job runners; everything else is decided here, once.
import type { OpenAPIHono } from "@hono/zod-openapi";
import { createApp } from "./http/app.ts";
import type { JobDeps } from "./jobs/job-deps.ts";
import { runIngest } from "./jobs/ingest.ts";
import { runTraining } from "./jobs/train/run-training.ts";
import type { KmaClient } from "./kma/client.ts";
import { DEFAULT_LOCATION_ID, DEFAULT_LOCATIONS, type Location } from "./locations/locations.ts";
import type { LightGBM } from "./model/lightgbm-wasm/lightgbm.ts";
import { type Clock, systemClock } from "./ports/clock.ts";
import type { Database } from "./ports/database.ts";
import type { Logger } from "./ports/logger.ts";
import type { ObjectStore } from "./ports/object-store.ts";
import { createRedactor, type Redactor } from "./secrets/redact.ts";
import { createServing, type Serving, type ServingConfig, type ServingSettings, servingConfigFromEnv } from "./serving/index.ts";
import { JobUnavailableError, type JobRunners } from "./serving/job-runners.ts";
import pkg from "../package.json" with { type: "json" };

/** The settings the app reads (Worker vars and secrets, or the process environment). */
export interface AppSettings extends ServingSettings {
  /** Enables the admin routes (bearer token); unset: they answer 404. */
  ADMIN_TOKEN?: string | undefined;
  /** The location of GET /v1/forecast without ?location= (default seoul). */
  DEFAULT_LOCATION?: string | undefined;
  /** "true" enables POST /v1/selftest/lightgbm (off in production). */
  SELFTEST_ENABLED?: string | undefined;
  KMA_SERVICE_KEY?: string | undefined;
  LIBSQL_AUTH_TOKEN?: string | undefined;
}

/** The redactor of every secret the settings hold (the KMA key in every spelling, the tokens). */
export function settingsRedactor(settings: AppSettings): Redactor {
  return createRedactor([settings.KMA_SERVICE_KEY, settings.LIBSQL_AUTH_TOKEN, settings.ADMIN_TOKEN]);
}

export interface RuntimePorts {
  db: Database;
  objects: ObjectStore;
  /** "Now" for forecasts, verification and health (a replay clock in the offline demo). Default: real time. */
  clock?: Clock;
  logger: Logger;
  redact: Redactor;
  loadLightGBM: () => Promise<LightGBM>;
  /** The jobs POST /v1/admin/jobs/{name}/run may start, given the serving layer (to reload models). */
  jobs: (serving: Serving) => JobRunners;
  /** The configured locations (default: seoul only; src/locations). */
  locations?: readonly Location[];
  /**
   * Answer with the loaded model while a due reload check runs in the background (long-running
   * servers: `nalssi serve`/`start`); not on Workers, where work outliving a request may be cancelled.
   */
  staleWhileChecking?: boolean;
}

export interface ComposedApp extends Serving {
  app: OpenAPIHono;
  /** Answers a request in-process. */
  fetch(request: Request): Promise<Response>;
}

/**
 * The app over the runtime's ports. `config` defaults to the serving settings (a malformed one throws
 * ServingConfigError naming the variable). The model cache keeps real time whatever `clock` says: it
 * re-reads the production pointer every MODEL_RELOAD_SECONDS of real time.
 */
export function composeApp(ports: RuntimePorts, settings: AppSettings, config: ServingConfig = servingConfigFromEnv(settings)): ComposedApp {
  const clock = ports.clock ?? systemClock;
  const serving = createServing({ db: ports.db, objects: ports.objects, clock, modelClock: systemClock, logger: ports.logger }, config, {
    staleWhileChecking: ports.staleWhileChecking ?? false,
  });
  const locations = ports.locations ?? DEFAULT_LOCATIONS;
  const defaultLocation = settings.DEFAULT_LOCATION?.trim() || (locations.some((l) => l.id === DEFAULT_LOCATION_ID) ? DEFAULT_LOCATION_ID : locations[0]!.id);
  const app = createApp({
    db: ports.db,
    objects: ports.objects,
    clock,
    logger: ports.logger,
    locations,
    defaultLocation,
    ...serving,
    adminToken: settings.ADMIN_TOKEN?.trim() || undefined,
    jobs: ports.jobs(serving),
    redact: ports.redact,
    loadLightGBM: ports.loadLightGBM,
    selftestEnabled: settings.SELFTEST_ENABLED === "true",
  });
  return { app, ...serving, fetch: async (request) => await app.fetch(request) };
}

export interface InProcessJobOptions {
  /** The KMA client for ingest; throwing means ingest cannot run here (answered 409 with the reason). */
  kma: () => KmaClient;
  loadLightGBM: () => Promise<LightGBM>;
  /** The locations ingest fetches and a job without ?location= runs for (default: seoul only). */
  locations?: readonly Location[];
  /** The training run date (KST YYYY-MM-DD); default: today in KST (a replay passes its own date). */
  runDate?: string;
}

/** ingest (the hourly KMA fetch, every location) and train (the daily pipeline), run in this process. */
export function inProcessJobRunners(deps: JobDeps, serving: Serving, o: InProcessJobOptions): JobRunners {
  const locations = o.locations ?? DEFAULT_LOCATIONS;
  const all = locations.map((l) => l.id);
  return {
    ingest: async () => {
      let kma: KmaClient;
      try {
        kma = o.kma();
      } catch (e) {
        throw new JobUnavailableError((e as Error).message);
      }
      const result = await runIngest({ ...deps, kma }, { locations, at: deps.clock.now() });
      return {
        ok: result.ok,
        summary: {
          steps: result.steps.map((s) => ({
            location: s.locationId,
            job: s.job,
            status: s.status,
            run_id: s.runId,
            ...(s.error ? { error: s.error } : {}),
            ...(s.exportError ? { export_error: s.exportError } : {}),
          })),
        },
      };
    },
    train: async (req) => {
      const runs = [];
      for (const location of req.location === null ? all : [req.location]) {
        const run = await runTraining(
          {
            db: deps.db,
            objects: deps.objects,
            clock: deps.clock,
            logger: deps.logger,
            loadLightGBM: o.loadLightGBM,
            code: { packageVersion: pkg.version },
            notifyServing: async (loc) => ({ serving: (await serving.models.reload(loc)).version }),
          },
          { location, trigger: "admin", ...(o.runDate ? { runDate: o.runDate } : {}) },
        );
        runs.push({ location, run_id: run.id, status: run.status, error_step: run.errorStep, error: run.errorMessage });
      }
      return { ok: runs.every((r) => r.status === "succeeded"), summary: { runs } };
    },
  };
}
