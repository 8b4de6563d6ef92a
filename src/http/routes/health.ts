// GET /healthz: is the database reachable, which model is loaded per location (loading it if the
// reload interval says so), and how old the newest observed temperature is. 200 when every location
// can be served, 503 ("degraded") otherwise, with the reason in the body.
import { createRoute } from "@hono/zod-openapi";
import type { z } from "@hono/zod-openapi";
import type { Api, ApiDeps } from "../api-deps.ts";
import { HealthResponse } from "../api-schemas.ts";
import { newestObservedAt } from "../../db/observations.ts";

const route = createRoute({
  method: "get",
  path: "/healthz",
  tags: ["health"],
  summary: "Model loaded, newest observation age, database reachable",
  responses: {
    200: { description: "every location has a model and the database answers", content: { "application/json": { schema: HealthResponse } } },
    503: { description: "degraded: see the body", content: { "application/json": { schema: HealthResponse } } },
  },
});

type Health = z.infer<typeof HealthResponse>;

export function registerHealth(app: Api, deps: ApiDeps): void {
  app.openapi(route, async (c) => {
    let dbError: string | null = null;
    try {
      await deps.db.execute("SELECT 1");
    } catch (e) {
      dbError = "the database did not answer";
      deps.logger.warn("health check: database unreachable", { error: deps.redact ? deps.redact((e as Error).message) : (e as Error).message });
    }
    const now = deps.clock.now().getTime();
    const locations: Health["locations"] = [];
    for (const l of deps.locations) {
      let problem: string | null = null;
      try {
        await deps.models.get(l.id);
      } catch (e) {
        problem = (e as Error).message;
      }
      const status = deps.models.status(l.id);
      if (!problem && status.refused) problem = `serving ${status.version}; ${status.refused.message}`;
      let newest: string | null = null;
      if (dbError === null) {
        try {
          newest = await newestObservedAt(deps.db, l.id);
        } catch {
          dbError = "the database did not answer";
        }
      }
      locations.push({
        id: l.id,
        model_version: status.version,
        model_loaded_at: status.loadedAt,
        model_problem: problem,
        newest_observation_at: newest,
        newest_observation_age_seconds: newest === null ? null : Math.round((now - Date.parse(newest)) / 1000),
      });
    }
    const ok = dbError === null && locations.every((l) => l.model_version !== null);
    const body: Health = {
      status: ok ? "ok" : "degraded",
      database: { reachable: dbError === null, error: dbError },
      locations,
      model_reload_seconds: deps.models.checkIntervalMs / 1000,
    };
    return ok ? c.json(body, 200) : c.json(body, 503);
  });
}
