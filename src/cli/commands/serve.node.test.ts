// `nalssi serve` as a user runs it: the real bin in a child process over a data folder holding real
// model versions trained on the Seoul weather data. The forecast equals the wasm model's; a version
// promoted by another process (`nalssi promote`) is served within MODEL_RELOAD_SECONDS while requests
// keep succeeding; bodies over the limit are refused by the HTTP adapter.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_RECIPE } from "../../model/features-recipes.ts";
import { HOUR_MS } from "../../model/series.ts";
import { loadHourlyModel } from "../../model/hourly-load.ts";
import { hourlyForecast } from "../../serving/hourly-forecast.ts";
import { referenceLeadRows } from "../../serving/testing/fixtures.ts";
import { type SeededDataDir, seedSeoulDataDir } from "../../../test/serve/seoul-data-dir.ts";
import { type ServeProcess, startServeProcess } from "../../../test/serve/serve-process.ts";

const exec = promisify(execFile);
const bin = new URL("../../../bin/nalssi.js", import.meta.url).pathname;
const TOKEN = "serve-test-token-9f8e7d-0123456789abcdef";

let dir: string;
let seeded: SeededDataDir;
let server: ServeProcess;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "nalssi-serve-"));
  seeded = await seedSeoulDataDir(dir, [DEFAULT_RECIPE, { ...DEFAULT_RECIPE, params: { ...DEFAULT_RECIPE.params, num_iterations: 150 } }]);
  server = await startServeProcess(dir, { MODEL_RELOAD_SECONDS: "1", ADMIN_TOKEN: TOKEN });
}, 120_000);

afterAll(async () => {
  const code = await server?.stop();
  expect(code).toBe(0);
  seeded?.artifacts.forEach((a) => (a.fitted.booster.free(), a.hourly?.free()));
  await rm(dir, { recursive: true, force: true });
});

describe("nalssi serve", () => {
  it("forecasts the Seoul data as of its last hour, equal to the wasm model", async () => {
    const at = new Date(seeded.last + 30 * 60_000).toISOString();
    const res = await fetch(`${server.url}/v1/forecast?location=seoul&at=${at}`);
    expect(res.status).toBe(200);
    const f = (await res.json()) as Record<string, any>;
    expect(f.issued_at).toBe(new Date(seeded.last).toISOString().slice(0, 16));
    const ref = hourlyForecast(loadHourlyModel(seeded.artifacts[0]!.hourly!.artifact), seeded.series, { at: seeded.last });
    expect(f.hourly.temperature_2m).toEqual(ref.leads.map((l) => Math.round(l.temperature * 100) / 100));
    expect(f.model.version).toBe(seeded.versions[0]);
    expect(f.hourly.temperature_2m_persistence[0]).toBe(seeded.series.observations.at(-1)!.temperature);
    expect(f.inputs.age_seconds).toBe(1800);
    // Now (years after the data) the inputs are stale.
    const stale = await fetch(`${server.url}/v1/forecast`);
    expect(stale.status).toBe(409);
    expect(((await stale.json()) as { error: { code: string } }).error.code).toBe("stale_inputs");
  });

  it("serves a version promoted by another process within MODEL_RELOAD_SECONDS, failing no request", async () => {
    const [v1, v2] = seeded.versions as [string, string];
    const { rows } = referenceLeadRows(seeded.artifacts[1]!, seeded.series, 24, seeded.last - 24 * HOUR_MS, seeded.last);
    const statuses: number[] = [];
    const seen: { version: string; at: number }[] = [];
    let stop = false;
    const load = (async () => {
      while (!stop) {
        const res = await fetch(`${server.url}/v1/predict`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ lead_hours: 24, instances: rows }),
        });
        statuses.push(res.status);
        const body = (await res.json()) as { model?: { version: string } };
        if (body.model) seen.push({ version: body.model.version, at: Date.now() });
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    const promote = await exec(process.execPath, [bin, "promote", v2, "--data-dir", dir, "--by", "tester", "--reason", "serve test"], {
      env: { ...process.env, LIBSQL_URL: "" },
    });
    const promotedAt = Date.now();
    expect(promote.stdout).toContain(v2);
    while (!seen.some((s) => s.version === v2 && s.at >= promotedAt) && Date.now() - promotedAt < 5_000) await new Promise((r) => setTimeout(r, 20));
    stop = true;
    await load;
    const switched = seen.find((s) => s.version === v2 && s.at >= promotedAt);
    expect(switched).toBeDefined();
    expect(switched!.at - promotedAt).toBeLessThanOrEqual(1_000 + 500);
    expect(statuses.length).toBeGreaterThan(10);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(seen[0]!.version).toBe(v1);
    // Once switched, never back.
    const after = seen.slice(seen.indexOf(switched!));
    expect(after.every((s) => s.version === v2)).toBe(true);
  });

  it("answers /healthz, /openapi.json and /docs; admin needs the token", async () => {
    const h = await fetch(`${server.url}/healthz`);
    expect(h.status).toBe(200);
    // the real clock, 2018 data: it serves, but a forecast for now would answer 409 (stale inputs)
    expect(await h.json()).toMatchObject({
      status: "degraded",
      reasons: [{ code: "stale_inputs", location: "seoul" }],
      database: { reachable: true },
      locations: [{ id: "seoul" }],
    });
    expect((await fetch(`${server.url}/openapi.json`)).status).toBe(200);
    expect(await (await fetch(`${server.url}/docs`)).text()).toContain("<title>nalssi API</title>");
    expect((await fetch(`${server.url}/v1/admin/reload`, { method: "POST" })).status).toBe(401);
    const ok = await fetch(`${server.url}/v1/admin/reload`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(server.stderr()).not.toContain(TOKEN);
  });

  it("refuses a body over the limit (declared or streamed) with a JSON 413 and keeps serving", async () => {
    const big = new Uint8Array(9 * 1024 * 1024).fill(0x20);
    const declared = await fetch(`${server.url}/v1/predict`, { method: "POST", headers: { "content-type": "application/json" }, body: big });
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { error: { code: string } }).error.code).toBe("payload_too_large");
    const streamed = await fetch(`${server.url}/v1/predict`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new ReadableStream({
        start(c) {
          for (let i = 0; i < 9; i++) c.enqueue(new Uint8Array(1024 * 1024).fill(0x20));
          c.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
