// What the HTTP app is built from: ports, the serving layer and the admin settings. The Worker and
// `nalssi serve` each construct these from their own runtime (src/adapters/workers/worker.ts, src/cli/commands/serve.ts).
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Location } from "../locations/locations.ts";
import type { LightGBM } from "../model/lightgbm-wasm/lightgbm.ts";
import type { Clock } from "../ports/clock.ts";
import type { Database } from "../ports/database.ts";
import type { Logger } from "../ports/logger.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import type { ForecastService } from "../serving/forecast-service.ts";
import type { JobRunners } from "../serving/job-runners.ts";
import type { ModelCache } from "../serving/model-cache.ts";

export interface ApiDeps {
  db: Database;
  objects: ObjectStore;
  clock: Clock;
  logger: Logger;
  /** Locations served; GET /v1/forecast answers 404 for any other. */
  locations: readonly Location[];
  defaultLocation: string;
  models: ModelCache;
  forecasts: ForecastService;
  /** ADMIN_TOKEN; undefined or empty: admin routes answer 404. */
  adminToken?: string | undefined;
  /** Jobs POST /v1/admin/jobs/{name}/run may start. */
  jobs: JobRunners;
  /** Largest request body in bytes (default DEFAULT_MAX_BODY_BYTES). */
  maxBodyBytes?: number;
  /** Removes secrets from text before it is logged. */
  redact?: (text: string) => string;
  /** The LightGBM self-test route (POST /v1/selftest/lightgbm), when enabled. */
  loadLightGBM?: () => Promise<LightGBM>;
  selftestEnabled?: boolean;
  /** How often /healthz reads the database at most (default 5 s). */
  healthRefreshMs?: number;
}

/** 8 MiB: a 10,000-row batch of ~30 features fits. */
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

export type Api = OpenAPIHono;
