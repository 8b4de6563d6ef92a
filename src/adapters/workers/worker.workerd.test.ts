// The Worker inside workerd: it loads LightGBM from the precompiled module and trains the same trees
// as native LightGBM, through its HTTP route.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "./worker.ts";

describe("Worker", () => {
  it("answers /healthz as unhealthy (503), in JSON, when its database is unreachable", async () => {
    const ctx = createExecutionContext();
    // Port 9 (discard): nothing listens there.
    const res = await worker.fetch(new Request("http://nalssi.test/healthz"), { ...(env as object), LIBSQL_URL: "http://127.0.0.1:9" } as never, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: "unhealthy", reasons: expect.arrayContaining([expect.objectContaining({ code: "database_unavailable" })]), database: { reachable: false }, locations: [{ id: "seoul", model_version: null }] });
  });

  it("trains LightGBM in the Worker when the self-test is enabled, identical to native", async () => {
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request("http://nalssi.test/v1/selftest/lightgbm", { method: "POST" }), { ...(env as object), SELFTEST_ENABLED: "true" } as never, ctx);
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
