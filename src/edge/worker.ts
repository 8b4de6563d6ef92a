// Cloudflare Worker entry: the Hono app for HTTP; cron triggers arrive in `scheduled`.
import { loadLightGBM } from "../model/lightgbm-wasm/worker.ts";
import { createApp } from "./app.ts";
import type { Env } from "./env.ts";
import type { ExecutionContext } from "./workers-types.ts";

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
    const app = createApp({ loadLightGBM, selftestEnabled: env.SELFTEST_ENABLED === "true" });
    return app.fetch(request, env, ctx);
  },
};
