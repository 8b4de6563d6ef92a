// Cloudflare Worker entry: the Hono app for HTTP; cron triggers arrive in `scheduled` (src/adapters/workers/scheduled.ts).
import type { Env } from "./env.ts";
import { runIngestQueue } from "./ingest-queue.ts";
import { runScheduled } from "./scheduled.ts";
import { workerFetch } from "./worker-app.ts";
import type { ExecutionContext, MessageBatch, ScheduledController } from "./workers-types.ts";

export default {
  /** HTTP: the API (src/adapters/workers/worker-app.ts builds the app once per isolate). */
  fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    return workerFetch(request, env, ctx);
  },
  /** Cron triggers: the hourly ingest and the daily pipeline hook (src/adapters/workers/scheduled.ts). */
  scheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
    return runScheduled(controller, env, ctx);
  },
  /** INGEST_QUEUE: one hourly-ingest step per message (src/adapters/workers/ingest-queue.ts). */
  queue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
    return runIngestQueue(batch, env);
  },
};

// Workflows classes are exported from the Worker entry (wrangler.toml [[workflows]] class_name).
export { TrainingWorkflow } from "./training-workflow.ts";
