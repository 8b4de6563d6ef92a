// The Worker's HTTP side: the app from the composition root (src/compose.ts) over the bindings
// (libSQL over HTTP from LIBSQL_URL + LIBSQL_AUTH_TOKEN, R2 binding OBJECTS), built once per isolate,
// so the production model stays in memory across requests and is re-checked at most every
// MODEL_RELOAD_SECONDS. Migrations are a deploy step (`npm run db:migrate`): the Worker only checks
// the schema, once per isolate, and answers 503 "run migrations" while it is behind.
import type { OpenAPIHono } from "@hono/zod-openapi";
import { openWorkersDatabase } from "./database.ts";
import { createR2ObjectStore } from "./r2-object-store.ts";
import { composeApp } from "../../compose.ts";
import { schemaStatus } from "../../db/schema-version.ts";
import { kstDate } from "../../time/kst.ts";
import { workerLocations } from "./locations.ts";
import { replayClockFromSetting } from "../../time/replay-clock.ts";
import { loadLightGBM } from "../../model/lightgbm-wasm/worker.ts";
import type { Logger } from "../../ports/logger.ts";
import type { JobRunners } from "../../serving/job-runners.ts";
import { JobUnavailableError } from "../../serving/job-runners.ts";
import { withRetries } from "../../storage/with-retries.ts";
import { jsonError } from "../../http/api-errors.ts";
import type { Env } from "./env.ts";
import { hourlyIngest, trainInstanceId, workerLogger } from "./scheduled.ts";

interface Built {
  key: string;
  objectsBinding: unknown;
  app: OpenAPIHono;
  /** null when the schema is current (or cannot be read: routes report their own database errors); else the 503 to answer. */
  schemaBlock: () => Promise<Response | null>;
}

let built: Built | undefined;

function configKey(env: Env): string {
  return JSON.stringify([
    env.LIBSQL_URL,
    env.LIBSQL_AUTH_TOKEN,
    env.ADMIN_TOKEN,
    env.KMA_SERVICE_KEY,
    env.KMA_BASE_URL,
    env.DEFAULT_LOCATION,
    env.LOCATIONS,
    env.SELFTEST_ENABLED,
    env.MODEL_RELOAD_SECONDS,
    env.FORECAST_MAX_AGE_MINUTES,
    env.FORECAST_WINDOW_DAYS,
    env.FORECAST_CACHE_SECONDS,
    env.REPLAY_CLOCK,
  ]);
}

function workerJobs(env: Env, ctx: { logger: Logger; redact: (t: string) => string }): JobRunners {
  return {
    // The same code as the hourly cron, for every configured location, as of now.
    ingest: async () => {
      if (!env.KMA_SERVICE_KEY?.trim()) throw new JobUnavailableError("KMA_SERVICE_KEY is not set: add it with `wrangler secret put KMA_SERVICE_KEY`");
      await hourlyIngest({ scheduledTime: Date.now(), env, logger: ctx.logger, redact: ctx.redact });
      return { ok: true, summary: { locations: workerLocations(env).map((l) => l.id) } };
    },
    // A Workflows instance per location (the daily pipeline's runner); answers with the instance ids.
    ...(env.TRAIN_WORKFLOW
      ? {
          train: async (req) => {
            const runDate = kstDate(new Date());
            const instances: string[] = [];
            for (const id of req.location === null ? workerLocations(env).map((l) => l.id) : [req.location]) {
              const instance = trainInstanceId(id, runDate);
              await env.TRAIN_WORKFLOW.create({ id: instance, params: { location: id, runDate, trigger: "admin" } });
              instances.push(instance);
            }
            return { ok: true, summary: { started: instances, note: "the training runs as a Workflow; follow it in GET /v1/jobs" } };
          },
        }
      : {}),
  };
}

const RECHECK_MS = 30_000;

function build(env: Env): Built {
  const { logger, redact } = workerLogger(env, { component: "api" });
  const { db } = openWorkersDatabase(env);
  const objects = withRetries(createR2ObjectStore(env.OBJECTS), {
    onRetry: (ev) => logger.warn("R2 call failed, retrying", { operation: ev.operation, key: ev.key, attempt: ev.attempt, error: ev.error.message }),
  });
  // REPLAY_CLOCK (an ISO time; `npm run dev` sets it to the newest bundled observation): serve as of then.
  const clock = replayClockFromSetting(env.REPLAY_CLOCK, "REPLAY_CLOCK", "REPLAY_CLOCK is set (npm run dev: the bundled data ends here)");
  const { app } = composeApp(
    {
      db,
      objects,
      ...(clock ? { clock } : {}),
      locations: workerLocations(env),
      logger,
      redact,
      loadLightGBM: () => loadLightGBM(),
      jobs: () => workerJobs(env, { logger, redact }),
    },
    env,
  );
  // The schema check, once per isolate once it passes. Behind, or the database unreachable: checked
  // again at most every 30 s. Unreachable does not block serving (/v1/predict works from the loaded
  // model, and each route reports its own database errors); a newer schema (a rollout) is tolerated.
  let current = false;
  let checkedAt = -Infinity;
  let behind: string[] = [];
  let checking: Promise<void> | undefined;
  const schemaBlock = async (): Promise<Response | null> => {
    if (!current && Date.now() - checkedAt >= RECHECK_MS) {
      checking ??= schemaStatus(db)
        .then(
          (s) => {
            behind = s.pending;
            current = s.pending.length === 0;
            if (s.pending.length) logger.error("the database schema is behind this code: run migrations (npm run db:migrate)", { pending: s.pending });
            if (s.unknown.length) logger.warn("the database has migrations this code does not know (a newer deploy?)", { unknown: s.unknown });
          },
          (e: unknown) => {
            behind = [];
            logger.error("could not read the schema version; serving without the check", { error: (e as Error).message });
          },
        )
        .finally(() => {
          checkedAt = Date.now();
          checking = undefined;
        });
      await checking;
    }
    if (current || behind.length === 0) return null;
    const body = jsonError(
      "migrations_pending",
      "the database schema is behind this code: run the migrations (`npm run db:migrate` with the Worker's LIBSQL_URL), then retry",
      { pending: behind },
    );
    return new Response(JSON.stringify(body), { status: 503, headers: { "content-type": "application/json; charset=utf-8", "retry-after": "30" } });
  };
  return { key: configKey(env), objectsBinding: env.OBJECTS, app, schemaBlock };
}

/** The Worker's fetch handler. */
export async function workerFetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  const headers = { "content-type": "application/json; charset=utf-8" };
  let b: Built;
  try {
    if (!built || built.key !== configKey(env) || built.objectsBinding !== env.OBJECTS) built = build(env);
    b = built;
  } catch (e) {
    const { logger, redact } = workerLogger(env, { component: "api" });
    logger.error("the Worker is misconfigured", { error: (e as Error).message });
    return new Response(JSON.stringify(jsonError("misconfigured", redact((e as Error).message))), { status: 500, headers });
  }
  const path = new URL(request.url).pathname;
  if (path !== "/docs" && path !== "/openapi.json" && path !== "/" && !path.startsWith("/v1/selftest/")) {
    const blocked = await b.schemaBlock();
    if (blocked) return blocked;
  }
  return b.app.fetch(request, env, ctx);
}
