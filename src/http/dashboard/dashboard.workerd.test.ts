// The Worker serves the dashboard from inside workerd: the page and its bundled script and
// stylesheet come from the generated module (no file system, no CDN), with the same headers as on
// Node and Deno.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import type {} from "../../../test/jobs/provided-context.ts";
import type { Env } from "../../adapters/workers/env.ts";
import worker from "../../adapters/workers/worker.ts";
import { DASHBOARD_CSS, DASHBOARD_JS } from "./assets.generated.ts";
import { DASHBOARD_SCRIPT_URL, DASHBOARD_STYLE_URL } from "./routes.ts";

const testEnv: Env = { ...(env as unknown as Env), LIBSQL_URL: inject("jobsDbUrl"), LIBSQL_AUTH_TOKEN: inject("jobsDbToken") };

async function call(path: string): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`http://nalssi.test${path}`), testEnv, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe("the dashboard on Workers", () => {
  it("serves the page on a real clock (no replay note) and its hashed assets", async () => {
    const page = await call("/dashboard");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain('data-clock="real"');
    expect(html).toContain(DASHBOARD_SCRIPT_URL);
    const js = await call(DASHBOARD_SCRIPT_URL);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(await js.text()).toBe(DASHBOARD_JS);
    const css = await call(DASHBOARD_STYLE_URL);
    expect(await css.text()).toBe(DASHBOARD_CSS);
  });
});
