// Admin routes (bearer ADMIN_TOKEN, see admin-auth.ts): promote a version, roll production back,
// reload the models now, run a job. A registry move also reloads this process's model at once;
// other processes (isolates) see it within MODEL_RELOAD_SECONDS.
import { createRoute } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { z } from "@hono/zod-openapi";
import { Registry } from "../../registry/registry.ts";
import { JOB_NAMES, type JobName } from "../../serving/job-runners.ts";
import { adminAuth, adminTokenProblem } from "../admin-auth.ts";
import { ApiError } from "../api-errors.ts";
import type { Api, ApiDeps } from "../api-deps.ts";
import { errorResponses, JobBody, JobParam, JobResponse, MoveBody, MoveResponse, ReloadBody, ReloadResponse, VersionParam } from "../api-schemas.ts";
import { knownLocation } from "./forecast.ts";

type Json = Record<string, unknown>;
const json = (x: unknown) => x as Json;
const security = [{ bearerAuth: [] }];

/** An empty body sent as application/json (curl -X POST -H 'content-type: application/json') means {}. */
const emptyJsonIsEmptyObject: MiddlewareHandler = async (c, next) => {
  if (c.req.header("content-length") === "0" && /^application\/json\b/i.test(c.req.header("content-type") ?? "")) {
    c.req.raw = new Request(c.req.raw, { body: "{}" });
  }
  await next();
};
const adminErrors = errorResponses(400, 401, 403, 404, 409, 413, 415, 429, 503);

export function registerAdmin(app: Api, deps: ApiDeps): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", { type: "http", scheme: "bearer", description: "the ADMIN_TOKEN secret" });
  const auth = adminAuth(deps.adminToken);
  const weak = adminTokenProblem(deps.adminToken);
  if (weak) deps.logger.error(`admin routes disabled: ${weak}`);
  const registry = () => new Registry({ db: deps.db, objects: deps.objects, clock: deps.clock, logger: deps.logger });
  const moveBody = { required: false, content: { "application/json": { schema: MoveBody } } };

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/models/{version}/promote",
      tags: ["admin"],
      summary: "Make a registered version production (artifacts' SHA-256 checked first)",
      security,
      middleware: [auth, emptyJsonIsEmptyObject],
      request: { params: VersionParam, body: moveBody },
      responses: {
        200: { description: "the history entries written and what this process now serves", content: { "application/json": { schema: MoveResponse } } },
        ...adminErrors,
      },
    }),
    async (c) => {
      const { version } = c.req.valid("param");
      const b = c.req.valid("json");
      const location = knownLocation(deps, b.location).id;
      const events = await registry().promote({ location, version, by: b.by ?? "admin-api", ...(b.reason ? { reason: b.reason } : {}) });
      const serving = await deps.models.reload(location);
      const body: z.infer<typeof MoveResponse> = { events: events.map(json), serving: json(serving) };
      return c.json(body, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/models/rollback",
      tags: ["admin"],
      summary: "Move production back to the version it had before (by the promotion history)",
      security,
      middleware: [auth, emptyJsonIsEmptyObject],
      request: { body: moveBody },
      responses: {
        200: { description: "the history entry written and what this process now serves", content: { "application/json": { schema: MoveResponse } } },
        ...adminErrors,
      },
    }),
    async (c) => {
      const b = c.req.valid("json");
      const location = knownLocation(deps, b.location).id;
      const event = await registry().rollback({ location, by: b.by ?? "admin-api", ...(b.reason ? { reason: b.reason } : {}) });
      const serving = await deps.models.reload(location);
      const body: z.infer<typeof MoveResponse> = { events: [json(event)], serving: json(serving) };
      return c.json(body, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/admin/reload",
      tags: ["admin"],
      summary: "Read the production pointers now and load what changed (a refused version is retried)",
      security,
      middleware: [auth, emptyJsonIsEmptyObject],
      request: { body: { required: false, content: { "application/json": { schema: ReloadBody } } } },
      responses: { 200: { description: "the model status per location", content: { "application/json": { schema: ReloadResponse } } }, ...adminErrors },
    }),
    async (c) => {
      const b = c.req.valid("json");
      const ids = b.location === undefined ? deps.locations.map((l) => l.id) : [knownLocation(deps, b.location).id];
      const models = [];
      for (const id of ids) models.push(json(await deps.models.reload(id)));
      const body: z.infer<typeof ReloadResponse> = { models };
      return c.json(body, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/admin/jobs/{name}/run",
      tags: ["admin"],
      summary: `Run a job now (${JOB_NAMES.join(", ")}; GET /v1/jobs lists the ones this server can run)`,
      description:
        "Runs in the request and answers when the job ends: 200 with ok true or false and the job's summary. `ingest` fetches the latest KMA nowcast and short-term forecast for every configured location; `train` runs the training pipeline.",
      security,
      middleware: [auth, emptyJsonIsEmptyObject],
      request: { params: JobParam, body: { required: false, content: { "application/json": { schema: JobBody } } } },
      responses: { 200: { description: "the job ended", content: { "application/json": { schema: JobResponse } } }, ...adminErrors },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      const b = c.req.valid("json");
      const available = JOB_NAMES.filter((n) => deps.jobs[n] !== undefined);
      const runner = (JOB_NAMES as readonly string[]).includes(name) ? deps.jobs[name as JobName] : undefined;
      if (!runner) {
        throw new ApiError(404, "unknown_job", `no job "${name}" on this server; available: ${available.join(", ") || "(none)"}`, { available });
      }
      const location = b.location === undefined ? null : knownLocation(deps, b.location).id;
      const t0 = Date.now();
      let result;
      try {
        result = await runner({ location, trigger: "admin" });
      } catch (e) {
        if (e instanceof ApiError || (e as Error).name === "JobUnavailableError") throw e;
        const message = deps.redact ? deps.redact((e as Error).message) : (e as Error).message;
        deps.logger.error("admin job failed", { job: name, error: message });
        const body: z.infer<typeof JobResponse> = {
          job: name,
          ok: false,
          ms: Date.now() - t0,
          summary: { error_class: (e as Error).name, error: message.split("\n")[0] ?? "" },
        };
        return c.json(body, 200);
      }
      if (result.ok) {
        for (const l of location === null ? deps.locations.map((x) => x.id) : [location]) await deps.models.reload(l).catch(() => undefined);
      }
      const body: z.infer<typeof JobResponse> = { job: name, ok: result.ok, ms: Date.now() - t0, summary: result.summary };
      return c.json(body, 200);
    },
  );
}
