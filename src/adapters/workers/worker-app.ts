// The Worker's HTTP side: the app built from the bindings (libSQL over HTTP from LIBSQL_URL +
// LIBSQL_AUTH_TOKEN, R2 binding OBJECTS) once per isolate, so the production model stays in memory
// across requests and is re-checked at most every MODEL_RELOAD_SECONDS. Migrations are applied once
// per isolate before the first API request (a failure is logged, serving goes on, retried after 30 s).
import type { OpenAPIHono } from "@hono/zod-openapi";
import { openWorkersDatabase } from "./database.ts";
import { createR2ObjectStore } from "./r2-object-store.ts";
import { migrate } from "../../db/migrate.ts";
import { DEFAULT_LOCATION_ID } from "../../locations/locations.ts";
import { workerLocations } from "./locations.ts";
import { jsonLinesLogger } from "../../logging/line-loggers.ts";
import type { LogLevel } from "../../logging/line-loggers.ts";
import { loadLightGBM } from "../../model/lightgbm-wasm/worker.ts";
import { systemClock } from "../../ports/clock.ts";
import { replayClockFromSetting } from "../../time/replay-clock.ts";
import type { Logger } from "../../ports/logger.ts";
import { createServing, servingConfigFromEnv } from "../../serving/index.ts";
import type { JobRunners } from "../../serving/job-runners.ts";
import { JobUnavailableError } from "../../serving/job-runners.ts";
import { withRetries } from "../../storage/with-retries.ts";
import { jsonError } from "../../http/api-errors.ts";
import { createApp } from "../../http/app.ts";
import type { Env } from "./env.ts";
import { HOURLY_INGEST_CRON, hourlyIngest } from "./scheduled.ts";
import type { ExecutionContext, ScheduledController } from "./workers-types.ts";

interface Built {
  key: string;
  objectsBinding: unknown;
  app: OpenAPIHono;
  ready: () => Promise<void>;
}

let built: Built | undefined;

function redactor(env: Env): (text: string) => string {
  const secrets = [env.LIBSQL_AUTH_TOKEN, env.ADMIN_TOKEN, env.KMA_SERVICE_KEY].map((s) => s?.trim() ?? "").filter((s) => s.length >= 4);
  return (text) => secrets.reduce((t, s) => t.split(s).join("[REDACTED]"), text);
}

function configKey(env: Env): string {
  return JSON.stringify([env.LIBSQL_URL, env.LIBSQL_AUTH_TOKEN, env.ADMIN_TOKEN, env.KMA_SERVICE_KEY, env.KMA_BASE_URL, env.DEFAULT_LOCATION, env.LOCATIONS, env.SELFTEST_ENABLED, env.MODEL_RELOAD_SECONDS, env.FORECAST_MAX_AGE_MINUTES, env.FORECAST_WINDOW_DAYS, env.FORECAST_CACHE_SECONDS, env.REPLAY_CLOCK]);
}

/** The KST calendar date of an instant, YYYY-MM-DD (the training pipeline's run date). */
function kstDate(at: Date): string {
  return new Date(at.getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
}

interface TrainWorkflowBinding {
  create(options: { id: string; params: { location: string; runDate: string; trigger: "admin" } }): Promise<unknown>;
}

function workerJobs(env: Env, ctx: { logger: Logger; redact: (t: string) => string }): JobRunners {
  return {
    // The same code as the hourly cron, for every configured location, as of now.
    ingest: async () => {
      if (!env.KMA_SERVICE_KEY?.trim()) throw new JobUnavailableError("KMA_SERVICE_KEY is not set: add it with `wrangler secret put KMA_SERVICE_KEY`");
      const controller = { cron: HOURLY_INGEST_CRON, scheduledTime: Date.now(), noRetry() {} } as unknown as ScheduledController;
      await hourlyIngest({ controller, env, ctx: {} as ExecutionContext, logger: ctx.logger, redact: ctx.redact });
      return { ok: true, summary: { locations: workerLocations(env).map((l) => l.id) } };
    },
    // A Workflows instance per location (the daily pipeline's runner); answers with the instance ids.
    ...(trainWorkflow(env)
      ? {
          train: async (req) => {
            const runDate = kstDate(new Date());
            const instances: string[] = [];
            for (const id of req.location === null ? workerLocations(env).map((l) => l.id) : [req.location]) {
              const instance = `train-${id}-${runDate}-${crypto.randomUUID().slice(0, 8)}`;
              await trainWorkflow(env)!.create({ id: instance, params: { location: id, runDate, trigger: "admin" } });
              instances.push(instance);
            }
            return { ok: true, summary: { started: instances, note: "the training runs as a Workflow; follow it in GET /v1/jobs" } };
          },
        }
      : {}),
  };
}

/** The Workflows binding of the daily pipeline (wrangler.toml [[workflows]] TRAIN_WORKFLOW), if bound. */
function trainWorkflow(env: Env): TrainWorkflowBinding | undefined {
  return (env as unknown as { TRAIN_WORKFLOW?: TrainWorkflowBinding }).TRAIN_WORKFLOW;
}

function build(env: Env): Built {
  const redact = redactor(env);
  const write = (line: string, level: LogLevel) => (level === "error" ? console.error(line) : level === "warn" ? console.warn(line) : console.log(line));
  const logger = jsonLinesLogger(write, { redact, base: { component: "api" } });
  const config = servingConfigFromEnv(env as unknown as Record<string, unknown>);
  // REPLAY_CLOCK (an ISO time; `npm run dev` sets it to the newest bundled observation): serve as of then.
  const clock = replayClockFromSetting(env.REPLAY_CLOCK, "REPLAY_CLOCK", "REPLAY_CLOCK is set (npm run dev: the bundled data ends here)") ?? systemClock;
  const { db } = openWorkersDatabase(env);
  const objects = withRetries(createR2ObjectStore(env.OBJECTS), {
    onRetry: (ev) => logger.warn("R2 call failed, retrying", { operation: ev.operation, key: ev.key, attempt: ev.attempt, error: ev.error.message }),
  });
  const serving = createServing({ db, objects, clock, logger }, config);
  const defaultLocation = env.DEFAULT_LOCATION?.trim() || DEFAULT_LOCATION_ID;
  const app = createApp({
    db,
    objects,
    clock,
    logger,
    locations: workerLocations(env),
    defaultLocation,
    ...serving,
    adminToken: env.ADMIN_TOKEN,
    jobs: workerJobs(env, { logger, redact }),
    redact,
    loadLightGBM,
    selftestEnabled: env.SELFTEST_ENABLED === "true",
  });
  // Migrations once per isolate before the first API request. A failure (database down, or a schema
  // newer than this code during a rollout) is logged and does not block serving: /v1/predict works
  // from the loaded model, and each route reports its own database errors. Retried after 30 s.
  let migrated: Promise<void> | undefined;
  let failedAt = -Infinity;
  const ready = async () => {
    if (!migrated && Date.now() - failedAt < 30_000) return;
    migrated ??= migrate(db, { logger }).then(
      () => undefined,
      (e: unknown) => {
        migrated = undefined;
        failedAt = Date.now();
        logger.error("database migrations failed; serving without them", { error: (e as Error).message });
      },
    );
    await migrated;
  };
  return { key: configKey(env), objectsBinding: env.OBJECTS, app, ready };
}

/** The Worker's fetch handler. */
export async function workerFetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  const headers = { "content-type": "application/json; charset=utf-8" };
  let b: Built;
  try {
    if (!built || built.key !== configKey(env) || built.objectsBinding !== env.OBJECTS) built = build(env);
    b = built;
  } catch (e) {
    console.error(JSON.stringify({ level: "error", message: "the Worker is misconfigured", error: redactor(env)((e as Error).message) }));
    return new Response(JSON.stringify(jsonError("misconfigured", redactor(env)((e as Error).message))), { status: 500, headers });
  }
  const path = new URL(request.url).pathname;
  if (path !== "/docs" && path !== "/openapi.json" && path !== "/" && !path.startsWith("/v1/selftest/")) await b.ready();
  return b.app.fetch(request, env, ctx);
}
