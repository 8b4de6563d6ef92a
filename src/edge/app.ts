// The Hono app served by the Worker (and, later, by `nalssi serve` on Node and Deno).
import { Hono } from "hono";
import type { LightGBM } from "../model/lightgbm-wasm/lightgbm.ts";
import { lightgbmSelftest } from "./lightgbm-selftest.ts";

export interface AppDeps {
  loadLightGBM: () => Promise<LightGBM>;
  selftestEnabled: boolean;
}

export function jsonError(code: string, message: string, details?: unknown) {
  return { error: { code, message, details: details ?? null } };
}

export function createApp(deps: AppDeps) {
  const app = new Hono();
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.post("/v1/selftest/lightgbm", async (c) => {
    if (!deps.selftestEnabled) return c.json(jsonError("not_found", "the LightGBM self-test is disabled (SELFTEST_ENABLED)"), 404);
    return c.json(await lightgbmSelftest(deps.loadLightGBM));
  });
  app.notFound((c) => c.json(jsonError("not_found", `no route for ${c.req.method} ${new URL(c.req.url).pathname}`), 404));
  app.onError((err, c) => {
    console.error(JSON.stringify({ level: "error", message: err.message, name: err.name }));
    return c.json(jsonError("internal", "internal error"), 500);
  });
  return app;
}
