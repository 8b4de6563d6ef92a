// The Worker's bindings and vars (wrangler.toml) and secrets (wrangler secret put ...).
import type { Queue, R2Bucket, Workflow } from "./workers-types.ts";
import type { IngestMessage } from "./ingest-queue.ts";
import type { TrainingParams } from "./training-params.ts";

export interface Env {
  OBJECTS: R2Bucket;
  /** The daily training pipeline (wrangler.toml [[workflows]]). */
  TRAIN_WORKFLOW?: Workflow<TrainingParams>;
  /** The hourly ingest's steps (wrangler.toml [[queues.producers]]; src/adapters/workers/ingest-queue.ts). */
  INGEST_QUEUE?: Queue<IngestMessage>;
  /** KMA calls a day allowed per operation (default 10000); the hourly plan thins to fit (src/jobs/ingest-plan.ts). */
  KMA_DAILY_CALL_BUDGET?: string;
  /** Plans of at most this many steps run inline in the cron instead of through the queue (default 4). */
  INGEST_INLINE_MAX_STEPS?: string;
  LIBSQL_URL: string;
  LIBSQL_AUTH_TOKEN?: string;
  KMA_BASE_URL: string;
  KMA_SERVICE_KEY?: string;
  ADMIN_TOKEN?: string;
  DEFAULT_LOCATION: string;
  /** The configured locations: JSON or a comma list of ASOS station ids (src/adapters/workers/locations.ts); unset: seoul. */
  LOCATIONS?: string;
  MODEL_RELOAD_SECONDS: string;
  /** Serving (src/serving/config.ts): 409 when the newest observation is older (default 180). */
  FORECAST_MAX_AGE_MINUTES?: string;
  /** Days of observations read for a forecast (default 35). */
  FORECAST_WINDOW_DAYS?: string;
  /** How long a computed forecast is reused (default 60). */
  FORECAST_CACHE_SECONDS?: string;
  /** An ISO time: serve as of that instant, a replay (`npm run dev` sets it for the bundled 2018 data). Unset: the real clock. */
  REPLAY_CLOCK?: string;
  /** "true" enables POST /v1/selftest/lightgbm (off in production). */
  SELFTEST_ENABLED?: string;
}
