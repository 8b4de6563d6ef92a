// The Worker inside workerd: it loads LightGBM from the precompiled module and trains the same trees
// as native LightGBM, through its HTTP route.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import type {} from "../../../test/jobs/provided-context.ts";
import worker from "./worker.ts";

describe("Worker", () => {
  it("answers /healthz as unhealthy (503), in JSON, when its database is unreachable", async () => {
    const ctx = createExecutionContext();
    // Port 9 (discard): nothing listens there.
    const res = await worker.fetch(new Request("http://nalssi.test/healthz"), { ...(env as object), LIBSQL_URL: "http://127.0.0.1:9" } as never, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      status: "unhealthy",
      reasons: expect.arrayContaining([expect.objectContaining({ code: "database_unavailable" })]),
      database: { reachable: false },
      locations: [{ id: "seoul", model_version: null }],
    });
  });

  it("answers 503 migrations_pending on a database behind the code; the docs are still served", async () => {
    const e = { ...(env as object), LIBSQL_URL: inject("unmigratedDbUrl"), LIBSQL_AUTH_TOKEN: inject("jobsDbToken") } as never;
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request("http://nalssi.test/v1/models"), e, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { code: string; message: string; details: { pending: string[] } } };
    expect(body.error.code).toBe("migrations_pending");
    expect(body.error.message).toContain("npm run db:migrate");
    expect(body.error.details.pending).toContain("0001_observations_forecasts_ingest");
    // The docs do not need the database.
    expect((await worker.fetch(new Request("http://nalssi.test/openapi.json"), e, createExecutionContext())).status).toBe(200);
  });

  it("trains LightGBM in the Worker when the self-test is enabled, identical to native", async () => {
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request("http://nalssi.test/v1/selftest/lightgbm", { method: "POST" }),
      { ...(env as object), SELFTEST_ENABLED: "true" } as never,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { identical_to_native: boolean; iterations: number };
    expect(body.identical_to_native).toBe(true);
    expect(body.iterations).toBe(120);
  });

  it("keeps the self-test off unless enabled, with a JSON error", async () => {
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request("http://nalssi.test/v1/selftest/lightgbm", { method: "POST" }), env as never, ctx);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_found");
  });
});
