// GET /healthz: ok | degraded | unhealthy with the reasons (src/serving/health-monitor.ts), from state
// refreshed in the background at most every few seconds: no database work per request. 200 for ok
// and degraded (it serves), 503 for unhealthy (the database is gone, or a location has no model).
import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Api, ApiDeps } from "../api-deps.ts";
import { HealthResponse } from "../api-schemas.ts";
import { HealthMonitor } from "../../serving/health-monitor.ts";

const route = createRoute({
  method: "get",
  path: "/healthz",
  tags: ["health"],
  summary: "ok | degraded | unhealthy, with reasons (database, models, input age)",
  description:
    "Answered from state refreshed in the background at most every 5 s. degraded: it serves, but the forecast would answer 409 (inputs too old), or it serves an older model than production for longer than the reload interval. unhealthy: the database is unavailable or a location has no model.",
  responses: {
    200: { description: "ok or degraded: it serves (see reasons)", content: { "application/json": { schema: HealthResponse } } },
    503: { description: "unhealthy: see reasons", content: { "application/json": { schema: HealthResponse } } },
  },
});

/** ctx.waitUntil on Workers (a refresh outlives the response); nothing elsewhere. */
function background(c: Context): ((p: Promise<void>) => void) | undefined {
  try {
    const ctx = c.executionCtx;
    return (p) => ctx.waitUntil(p);
  } catch {
    return undefined;
  }
}

export function registerHealth(app: Api, deps: ApiDeps): HealthMonitor {
  const monitor = new HealthMonitor(
    {
      db: deps.db,
      clock: deps.clock,
      logger: deps.logger,
      models: deps.models,
      locations: deps.locations,
      maxInputAgeMs: deps.forecasts.options.maxInputAgeMs,
    },
    deps.healthRefreshMs === undefined ? {} : { refreshMs: deps.healthRefreshMs },
  );
  app.openapi(route, async (c) => {
    const body = await monitor.report(background(c));
    return body.status === "unhealthy" ? c.json(body, 503) : c.json(body, 200);
  });
  return monitor;
}
