// The hourly ingest on Workers, fanned out through Cloudflare Queues so that it scales to every
// station within the platform's limits:
//
//   cron "15 * * * *" (hourlyIngestFanOut)     plans the hour (src/jobs/ingest-plan.ts: which
//                                                (location, product) steps, within the KMA budget),
//                                                records the plan as an `ingest_plan` run, and sends
//                                                one message per step to INGEST_QUEUE (sendBatch, 100
//                                                per call). Small plans (<= INGEST_INLINE_MAX_STEPS,
//                                                default 4: seoul alone) run inline instead.
//   queue consumer (consumeIngestBatch)         runs each message's step (src/jobs/ingest.ts: the run
//                                                row, the KMA fetch, the raw payload to R2, the rows in
//                                                one transaction), acks it, or retries it later.
//
// Why Queues and not Workflows: every consumer invocation has its own subrequest budget (1,000 on
// the paid plan the design targets; each KMA fetch, libSQL HTTP call and R2 call counts) and CPU
// limit, and wrangler.toml's max_batch_size bounds what one invocation does; a message is retried on
// its own (a failed Busan nowcast does not re-run the 95 others) with a delay, then dropped after
// max_retries; batching and concurrency are the platform's. A Workflow per hour would put every
// step's subrequests in one instance (steps share the instance's budget) or need an instance per
// location; Queues also run offline under `wrangler dev` and in the vitest workerd pool.
import { openWorkersDatabase } from "./database.ts";
import { createR2ObjectStore } from "./r2-object-store.ts";
import { workerLocations } from "./locations.ts";
import { assertSchemaCurrent } from "../../db/schema-version.ts";
import { startIngestRun, finishIngestRun } from "../../db/ingest-runs.ts";
import { runIngest } from "../../jobs/ingest.ts";
import type { IngestProduct, IngestStep } from "../../jobs/ingest.ts";
import { budgetFromEnv, planIngestHour } from "../../jobs/ingest-plan.ts";
import type { IngestPlan } from "../../jobs/ingest-plan.ts";
import { KmaClient } from "../../kma/client.ts";
import type { KmaError } from "../../kma/errors.ts";
import { normalizeServiceKey } from "../../kma/service-key.ts";
import type { Location } from "../../locations/locations.ts";
import type { Database } from "../../ports/database.ts";
import type { Logger } from "../../ports/logger.ts";
import { systemClock } from "../../ports/clock.ts";
import { withRetries } from "../../storage/with-retries.ts";
import type { Env } from "./env.ts";
import { type ScheduledRun, workerLogger } from "./scheduled-run.ts";
import type { MessageBatch } from "./workers-types.ts";

/** One step of the hourly ingest: a location and a product, for the issues newest at `at`. */
export interface IngestMessage {
  v: 1;
  /** The trigger's scheduled time (ISO): a retried message fetches the same issues. */
  at: string;
  location: string;
  product: IngestProduct;
}

export const DEFAULT_INLINE_MAX_STEPS = 4;
/** Messages per sendBatch call (the Queues limit). */
const SEND_BATCH_MAX = 100;
/** Seconds before a failed step is tried again (its message's retry). */
export const RETRY_DELAY_SECONDS = 120;

function kmaKey(env: Env): string {
  const rawKey = env.KMA_SERVICE_KEY?.trim();
  if (!rawKey) throw new Error("KMA_SERVICE_KEY is not set: add it with `wrangler secret put KMA_SERVICE_KEY`");
  try {
    return normalizeServiceKey(rawKey);
  } catch (e) {
    throw new Error(`KMA_SERVICE_KEY: ${(e as KmaError).message}`);
  }
}

function ingestDeps(env: Env, logger: Logger, redact: (text: string) => string, db: Database) {
  const objects = withRetries(createR2ObjectStore(env.OBJECTS), {
    onRetry: (ev) => logger.warn("R2 call failed, retrying", { operation: ev.operation, key: ev.key, attempt: ev.attempt, error: ev.error.message }),
  });
  const kma = new KmaClient({ serviceKey: kmaKey(env), ...(env.KMA_BASE_URL?.trim() ? { baseUrl: env.KMA_BASE_URL.trim() } : {}), logger });
  return { db, objects, clock: systemClock, logger, redact, kma };
}

function inlineMax(env: Env): number {
  const t = env.INGEST_INLINE_MAX_STEPS?.trim() ?? "";
  if (t === "") return DEFAULT_INLINE_MAX_STEPS;
  if (!/^\d+$/.test(t)) throw new Error(`INGEST_INLINE_MAX_STEPS must be a whole number >= 0, got "${t}"`);
  return Number(t);
}

/** The plan as stored in the `ingest_plan` run's params (visible in GET /v1/jobs). */
export function planParams(plan: IngestPlan, fanout: "queue" | "inline"): Record<string, unknown> {
  return {
    at: plan.at,
    kst_hour: plan.kstHour,
    locations: plan.locations,
    budget_per_day: plan.budgetPerDay,
    usable_per_day: plan.usablePerDay,
    ...Object.fromEntries(
      plan.products.map((p) => [
        p.product === "ultraSrtNcst" ? "nowcast" : "vilage_fcst",
        {
          every: p.every,
          this_hour: p.locationIds.length,
          planned_per_day: p.plannedPerDay,
          needed_per_day: p.neededPerDay,
          thinned: p.thinned,
          over_budget: p.overBudget,
        },
      ]),
    ),
    steps: plan.steps.length,
    fanout,
    degraded: plan.degraded,
  };
}

async function recordPlan(db: Database, plan: IngestPlan, fanout: "queue" | "inline"): Promise<number> {
  const now = systemClock.now();
  const rs = await db.execute(startIngestRun({ job: "ingest_plan", locationId: null, params: planParams(plan, fanout), startedAt: now }));
  const id = Number(rs.rows[0]!.id);
  await db.execute(finishIngestRun({ id, finishedAt: now, status: "succeeded", counts: { inserted: 0, updated: 0, skipped: 0 } }));
  return id;
}

function stepSummary(s: IngestStep): string {
  return s.status === "failed"
    ? `${s.locationId} ${s.job}: ${s.error!.class}: ${s.error!.message}`
    : `${s.locationId} ${s.job}: CSV partition export ${s.exportError!.class}: ${s.exportError!.message}`;
}

/** Runs planned steps in this invocation (grouped by product). */
async function runSteps(
  deps: ReturnType<typeof ingestDeps>,
  steps: readonly { location: Location; product: IngestProduct }[],
  at: Date,
): Promise<IngestStep[]> {
  const out: IngestStep[] = [];
  for (const product of ["ultraSrtNcst", "vilageFcst"] as const) {
    const locations = steps.filter((s) => s.product === product).map((s) => s.location);
    if (locations.length > 0) out.push(...(await runIngest(deps, { locations, at, products: [product] })).steps);
  }
  return out;
}

/** The cron side: plan the hour, record the plan, and enqueue its steps (or run a small plan inline). */
export async function hourlyIngestFanOut({ scheduledTime, env, logger, redact }: ScheduledRun): Promise<void> {
  kmaKey(env); // a missing or malformed key fails the cron before anything is planned
  const locations = workerLocations(env);
  const at = new Date(scheduledTime);
  const plan = planIngestHour(
    locations.map((l) => l.id),
    at,
    budgetFromEnv(env.KMA_DAILY_CALL_BUDGET),
  );
  const fanout = env.INGEST_QUEUE && plan.steps.length > inlineMax(env) ? "queue" : "inline";
  const { db, location } = openWorkersDatabase(env);
  try {
    await assertSchemaCurrent(db);
    const planRun = await recordPlan(db, plan, fanout);
    const fields = {
      plan_run_id: planRun,
      database: location,
      scheduled_time: plan.at,
      kst_hour: plan.kstHour,
      locations: plan.locations,
      steps: plan.steps.length,
      fanout,
    };
    if (plan.degraded) logger.warn(`hourly ingest plan degraded: ${plan.degraded}`, { ...fields, degraded: plan.degraded });
    else logger.info("hourly ingest planned", fields);
    if (fanout === "queue") {
      const messages = plan.steps.map((s) => ({
        body: { v: 1, at: plan.at, location: s.locationId, product: s.product } satisfies IngestMessage,
        contentType: "json" as const,
      }));
      for (let i = 0; i < messages.length; i += SEND_BATCH_MAX) await env.INGEST_QUEUE!.sendBatch(messages.slice(i, i + SEND_BATCH_MAX));
      logger.info("hourly ingest enqueued", { plan_run_id: planRun, messages: messages.length });
      return;
    }
    const byId = new Map(locations.map((l) => [l.id, l]));
    const steps = await runSteps(
      ingestDeps(env, logger, redact, db),
      plan.steps.map((s) => ({ location: byId.get(s.locationId)!, product: s.product })),
      at,
    );
    logger.info("hourly ingest finished", {
      ok: steps.every((s) => s.status === "succeeded" && !s.exportError),
      steps: steps.map((s) => ({
        location: s.locationId,
        job: s.job,
        status: s.status,
        base: s.baseDate ? `${s.baseDate} ${s.baseTime}` : null,
        run_id: s.runId,
        ...s.counts,
      })),
    });
    const bad = steps.filter((s) => s.status === "failed" || s.exportError);
    if (bad.length > 0) throw new Error(`hourly ingest failed for ${bad.length} of ${steps.length} steps: ${bad.map(stepSummary).join("; ")}`);
  } finally {
    db.close();
  }
}

/** Error classes not worth a retry: the key or the quota will not be better in two minutes. */
const PERMANENT = /^KmaError:(auth|quota|invalid-argument)/;

export interface ConsumeResult {
  acked: number;
  retried: number;
  dropped: number;
}

/** The queue consumer: one ingest step per message; ack, retry later, or drop (logged) each. */
export async function consumeIngestBatch(batch: MessageBatch<unknown>, env: Env, logger: Logger, redact: (text: string) => string): Promise<ConsumeResult> {
  const result: ConsumeResult = { acked: 0, retried: 0, dropped: 0 };
  const started = Date.now();
  const locations = new Map(workerLocations(env).map((l) => [l.id, l]));
  const { db } = openWorkersDatabase(env);
  try {
    const deps = ingestDeps(env, logger, redact, db);
    for (const message of batch.messages) {
      const body = message.body as Partial<IngestMessage> | null;
      const location = typeof body?.location === "string" ? locations.get(body.location) : undefined;
      const at = typeof body?.at === "string" ? new Date(body.at) : new Date(Number.NaN);
      if (body?.v !== 1 || !location || (body.product !== "ultraSrtNcst" && body.product !== "vilageFcst") || Number.isNaN(at.getTime())) {
        logger.error("ingest message dropped: not a step of a configured location", {
          message_id: message.id,
          body: redact(JSON.stringify(body)).slice(0, 300),
        });
        message.ack();
        result.dropped++;
        continue;
      }
      const [step] = await runSteps(deps, [{ location, product: body.product }], at);
      if (step!.status === "succeeded") {
        message.ack();
        result.acked++;
      } else if (PERMANENT.test(step!.error!.class)) {
        logger.error("ingest step failed permanently; not retried", {
          message_id: message.id,
          location: location.id,
          product: body.product,
          error_class: step!.error!.class,
          attempts: message.attempts,
        });
        message.ack();
        result.dropped++;
      } else {
        logger.warn("ingest step failed; retried later", {
          message_id: message.id,
          location: location.id,
          product: body.product,
          error_class: step!.error!.class,
          attempts: message.attempts,
          delay_seconds: RETRY_DELAY_SECONDS,
        });
        message.retry({ delaySeconds: RETRY_DELAY_SECONDS });
        result.retried++;
      }
    }
  } finally {
    db.close();
  }
  logger.info("ingest queue batch done", { queue: batch.queue, messages: batch.messages.length, ...result, ms: Date.now() - started });
  return result;
}

/** The Worker's `queue` handler for INGEST_QUEUE. A failure outside the steps (database down) fails the invocation: the platform retries the batch. */
export async function runIngestQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const { logger, redact } = workerLogger(env, { queue: batch.queue });
  try {
    await consumeIngestBatch(batch, env, logger, redact);
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    logger.error("ingest queue batch failed", { error_class: error.name, error: redact(error.message) });
    throw new Error(redact(error.message));
  }
}
