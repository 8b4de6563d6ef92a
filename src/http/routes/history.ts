// GET /v1/runs (training runs + pipeline runs) and GET /v1/jobs (pipeline runs with their steps +
// ingest runs): the tracking and job history as JSON.
import { createRoute } from "@hono/zod-openapi";
import type { z } from "@hono/zod-openapi";
import { RunLog } from "../../jobs/pipeline/run-log.ts";
import { listIngestRuns } from "../../serving/ingest-history.ts";
import { JOB_NAMES } from "../../serving/job-runners.ts";
import { listRuns } from "../../tracking/runs.ts";
import type { Api, ApiDeps } from "../api-deps.ts";
import { errorResponses, JobsResponse, ListQuery, RunsResponse } from "../api-schemas.ts";
import { knownLocation } from "./forecast.ts";

type Json = Record<string, unknown>;
const json = (x: unknown) => x as Json;

const runs = createRoute({
  method: "get",
  path: "/v1/runs",
  tags: ["history"],
  summary: "Training runs (experiment tracking) and pipeline runs, newest first",
  request: { query: ListQuery },
  responses: { 200: { description: "runs", content: { "application/json": { schema: RunsResponse } } }, ...errorResponses(400, 404) },
});

const jobs = createRoute({
  method: "get",
  path: "/v1/jobs",
  tags: ["history"],
  summary: "Pipeline runs with their steps, and ingest runs, newest first",
  request: { query: ListQuery },
  responses: { 200: { description: "job history", content: { "application/json": { schema: JobsResponse } } }, ...errorResponses(400, 404) },
});

export function registerHistory(app: Api, deps: ApiDeps): void {
  app.openapi(runs, async (c) => {
    const q = c.req.valid("query");
    const location = q.location === undefined ? undefined : knownLocation(deps, q.location).id;
    const limit = q.limit ?? 20;
    const [training, pipeline] = await Promise.all([
      listRuns(deps.db, { limit, ...(location ? { location } : {}) }),
      new RunLog(deps.db, deps.clock).listRuns({ limit, ...(location ? { locationId: location } : {}) }),
    ]);
    const body: z.infer<typeof RunsResponse> = { training_runs: training.map(json), pipeline_runs: pipeline.map(json) };
    return c.json(body, 200);
  });

  app.openapi(jobs, async (c) => {
    const q = c.req.valid("query");
    const location = q.location === undefined ? undefined : knownLocation(deps, q.location).id;
    const [pipeline, ingest] = await Promise.all([
      new RunLog(deps.db, deps.clock).listRuns({ limit: q.limit ?? 20, ...(location ? { locationId: location } : {}) }),
      listIngestRuns(deps.db, { limit: q.limit ?? 50, ...(location ? { locationId: location } : {}) }),
    ]);
    const body: z.infer<typeof JobsResponse> = {
      pipeline_runs: pipeline.map(json),
      ingest_runs: ingest.map(json),
      available_jobs: JOB_NAMES.filter((n) => deps.jobs[n] !== undefined),
    };
    return c.json(body, 200);
  });
}
