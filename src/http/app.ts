// The one Hono app (OpenAPI from zod schemas) served by the Worker (src/adapters/workers/worker.ts) and by
// `nalssi serve` on Node and Deno (src/cli/commands/serve.ts). Runtime-agnostic: everything it
// touches arrives in ApiDeps.
//   GET  /v1/forecast, POST /v1/predict                      forecasts
//   GET  /v1/locations                                       locations, model status, nearest to a point
//   GET  /v1/models, /v1/models/{version}, /v1/runs, /v1/jobs registry and history
//   POST /v1/models/{version}/promote, /v1/models/rollback,
//        /v1/admin/reload, /v1/admin/jobs/{name}/run         admin (bearer ADMIN_TOKEN)
//   GET  /healthz, /openapi.json, /docs                      health and documentation
// Every error is JSON {"error": {"code", "message", "details"}} (api-errors.ts).
import { OpenAPIHono } from "@hono/zod-openapi";
import type { z } from "@hono/zod-openapi";
import { allowedMethodsOf } from "./allowed-methods.ts";
import { ApiError, jsonError, toErrorResponse } from "./api-errors.ts";
import { requestBodyLimit } from "./body-limit.ts";
import { type ApiDeps, DEFAULT_MAX_BODY_BYTES } from "./api-deps.ts";
import { boundedNames, clipText, MAX_LISTED } from "../text/bounded-list.ts";
import { newNonce, pageCsp, securityHeaders } from "./security-headers.ts";
import { lightgbmSelftest } from "./lightgbm-selftest.ts";
import { registerAdmin } from "./routes/admin.ts";
import { registerForecast } from "./routes/forecast.ts";
import { registerHealth } from "./routes/health.ts";
import { registerHistory } from "./routes/history.ts";
import { registerLocations } from "./routes/locations.ts";
import { registerModels } from "./routes/models.ts";
import { registerPredict } from "./routes/predict.ts";
import { mountDashboard } from "./dashboard/mount.ts";

export { jsonError } from "./api-errors.ts";
export type { ApiDeps as AppDeps } from "./api-deps.ts";

export const API_VERSION = "0.1.0";

/** zod's messages echo the input (every unrecognized key): clipped, like the paths. */
const MAX_ISSUE_CHARS = 300;
const issuePath = (i: z.core.$ZodIssue) => boundedNames(i.path.slice(0, 20).map(String));

function issuesText(issues: readonly z.core.$ZodIssue[]): string {
  const text = issues
    .slice(0, 5)
    .map((i) => clipText(i.path.length ? `${issuePath(i).join(".")}: ${i.message}` : i.message, MAX_ISSUE_CHARS))
    .join("; ");
  return issues.length > 5 ? `${text}; and ${issues.length - 5} more` : text;
}

export function createApp(deps: ApiDeps): OpenAPIHono {
  const app = new OpenAPIHono({
    defaultHook: (result) => {
      if (!result.success) {
        const issues = result.error.issues;
        throw new ApiError(
          400,
          "invalid_request",
          `invalid ${result.target === "json" ? "request body" : result.target === "query" ? "query" : result.target}: ${issuesText(issues)}`,
          {
            target: result.target,
            issues: issues.slice(0, MAX_LISTED).map((i) => ({ path: issuePath(i), code: i.code, message: clipText(i.message, MAX_ISSUE_CHARS) })),
            issue_count: issues.length,
          },
        );
      }
    },
  });
  const maxBody = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  app.use("*", securityHeaders());
  app.use("*", requestBodyLimit(maxBody));

  registerHealth(app, deps);
  registerForecast(app, deps);
  registerLocations(app, deps);
  registerPredict(app, deps);
  registerModels(app, deps);
  registerHistory(app, deps);
  registerAdmin(app, deps);

  app.doc("/openapi.json", {
    openapi: "3.0.3",
    info: {
      title: "nalssi",
      version: API_VERSION,
      description:
        "Hourly air-temperature forecasts 1..48 h ahead with 80 % and 95 % intervals, from KMA open data, served at the edge. Errors are JSON {error: {code, message, details}}. The production model is re-read from the registry at most every MODEL_RELOAD_SECONDS.",
    },
  });
  // The docs page is imported on its first request (cold start: the API paths never load it).
  app.get("/docs", async (c) => {
    const { DOCS_HTML } = await import("./docs-page.ts");
    const nonce = newNonce();
    c.header("Content-Security-Policy", pageCsp(nonce));
    return c.html(DOCS_HTML.replace("<script>", `<script nonce="${nonce}">`).replace("<style>", `<style nonce="${nonce}">`));
  });
  app.get("/", (c) => c.redirect("/docs"));

  app.post("/v1/selftest/lightgbm", async (c) => {
    if (!deps.selftestEnabled || !deps.loadLightGBM) return c.json(jsonError("not_found", "the LightGBM self-test is disabled (SELFTEST_ENABLED)"), 404);
    return c.json(await lightgbmSelftest(deps.loadLightGBM));
  });

  const allowed = allowedMethodsOf(app);
  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    const allow = allowed(path);
    if (allow.length > 0) {
      c.header("Allow", allow.join(", "));
      return c.json(jsonError("method_not_allowed", `${c.req.method} is not allowed on ${path}; use ${allow.join(", ")}`, { allow }), 405);
    }
    return c.json(jsonError("not_found", `no route for ${c.req.method} ${path}`), 404);
  });
  app.onError((err, c) => {
    const { status, body, internal } = toErrorResponse(err);
    if (internal) {
      const message = deps.redact ? deps.redact(err.message) : err.message;
      deps.logger.error("request failed", { method: c.req.method, path: new URL(c.req.url).pathname, error_class: err.name, error: message });
    }
    return c.json(body, status);
  });
  mountDashboard(app, deps); // GET /dashboard (+ assets) and GET /v1/verification (src/http/dashboard/)
  return app;
}
