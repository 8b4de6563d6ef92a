// The Worker's bindings and vars (wrangler.toml) and secrets (wrangler secret put ...).
import type { R2Bucket } from "./workers-types.ts";

export interface Env {
  OBJECTS: R2Bucket;
  LIBSQL_URL: string;
  LIBSQL_AUTH_TOKEN?: string;
  KMA_BASE_URL: string;
  KMA_SERVICE_KEY?: string;
  ADMIN_TOKEN?: string;
  DEFAULT_LOCATION: string;
  MODEL_RELOAD_SECONDS: string;
  /** "true" enables POST /v1/selftest/lightgbm (off in production). */
  SELFTEST_ENABLED?: string;
}
