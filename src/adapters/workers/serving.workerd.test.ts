// The Worker serving inside workerd: its fetch handler builds the app from the bindings (libSQL over
// HTTP to a Hrana dev server on a fresh database, R2 binding OBJECTS), answers forecasts from the
// production model with the TypeScript predictor (no wasm on the serving path), and switches to a
// version promoted elsewhere within MODEL_RELOAD_SECONDS without failing a request. The models are
// trained here, in workerd, by LightGBM-wasm and registered like the training job does.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type {} from "../../../test/jobs/provided-context.ts";
import { openWorkersDatabase } from "./database.ts";
import { createR2ObjectStore } from "./r2-object-store.ts";
import { migrate } from "../../db/migrate.ts";
import { DEFAULT_RECIPE } from "../../model/features-recipes.ts";
import { loadLightGBM } from "../../model/lightgbm-wasm/worker.ts";
import { DAY_MS, HOUR_MS } from "../../model/series.ts";
import { syntheticSeries } from "../../model/series-fixtures.ts";
import { systemClock } from "../../ports/clock.ts";
import { Registry } from "../../registry/registry.ts";
import { loadHourlyModel } from "../../model/hourly-load.ts";
import { hourlyForecast } from "../../serving/hourly-forecast.ts";
import {
  referenceLeadRows,
  registerTrained,
  SMALL_HOURLY_RECIPE,
  storeObservations,
  type TrainedArtifacts,
  trainArtifacts,
} from "../../serving/testing/fixtures.ts";
import type { Env } from "./env.ts";
import worker from "./worker.ts";

const TOKEN = "workerd-admin-token-5150-0123456789abcdef";
const testEnv: Env = {
  ...(env as unknown as Env),
  LIBSQL_URL: inject("servingDbUrl"),
  LIBSQL_AUTH_TOKEN: inject("jobsDbToken"),
  ADMIN_TOKEN: TOKEN,
  MODEL_RELOAD_SECONDS: "1",
};
// Observations up to the last whole hour before now, so that `at` is never in the future.
const LAST = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - HOUR_MS;
const series = { ...syntheticSeries({ days: 80, seed: 5, start: LAST - 80 * DAY_MS + HOUR_MS }), locationId: "seoul" };

let a: TrainedArtifacts;
let b: TrainedArtifacts;
let v1: string;
let v2: string;
const { db } = openWorkersDatabase(testEnv);
const objects = createR2ObjectStore(testEnv.OBJECTS);

async function call(path: string, init?: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`http://nalssi.test${path}`, init), testEnv, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

beforeAll(async () => {
  const lgb = await loadLightGBM();
  const cutoff = series.observations.at(-1)!.time - 5 * DAY_MS;
  a = trainArtifacts(lgb, series, cutoff, { ...DEFAULT_RECIPE, params: { ...DEFAULT_RECIPE.params, num_iterations: 40 } }, 7, SMALL_HOURLY_RECIPE);
  b = trainArtifacts(lgb, series, cutoff, { ...DEFAULT_RECIPE, params: { ...DEFAULT_RECIPE.params, num_iterations: 90 } }, 7, {
    ...SMALL_HOURLY_RECIPE,
    params: { ...SMALL_HOURLY_RECIPE.params, num_iterations: 10 },
  });
  await migrate(db);
  v1 = await registerTrained({ db, objects, clock: systemClock }, "seoul", a);
  await new Promise((r) => setTimeout(r, 1100)); // versions are named by the run's start second
  v2 = await registerTrained({ db, objects, clock: systemClock }, "seoul", b);
  await new Registry({ db, objects }).promote({ location: "seoul", version: v1, by: "workerd-test" });
  await storeObservations(db, series, "seoul", LAST - 40 * DAY_MS, LAST + HOUR_MS, new Date());
}, 120_000);

afterAll(() => {
  a?.fitted.booster.free();
  b?.fitted.booster.free();
  a?.hourly?.free();
  b?.hourly?.free();
});

/** An instant as the API writes it in UTC (local wall clock, minutes). */
const utcMinute = (t: number) => new Date(t).toISOString().slice(0, 16);

describe("the Worker serves forecasts", () => {
  it("answers /v1/forecast from libSQL over HTTP and R2 with the production model, equal to the wasm model", async () => {
    const at = new Date(LAST + 10 * 60_000).toISOString();
    const res = await call(`/v1/forecast?location=seoul&at=${at}`);
    expect(res.status).toBe(200);
    const f = (await res.json()) as Record<string, any>;
    expect(f.issued_at).toBe(utcMinute(LAST));
    expect(f.model.version).toBe(v1);
    const ref = hourlyForecast(loadHourlyModel(a.hourly!.artifact), series, { at: LAST });
    expect(f.hourly.temperature_2m).toEqual(ref.leads.map((l) => Math.round(l.temperature * 100) / 100));
    expect(f.hourly.time.length).toBe(48);
    const h = await call("/healthz");
    expect(h.status).toBe(200);
    expect(await h.json()).toMatchObject({
      status: "ok",
      database: { reachable: true },
      model_reload_seconds: 1,
      locations: [{ id: "seoul", model_version: v1 }],
    });
  });

  it("switches to a version promoted elsewhere within MODEL_RELOAD_SECONDS, every request succeeding", async () => {
    const { rows } = referenceLeadRows(b, series, 24, LAST - 10 * HOUR_MS, LAST);
    const body = JSON.stringify({ lead_hours: 24, instances: rows });
    const predict = () => call("/v1/predict", { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(((await (await predict()).json()) as { model: { version: string } }).model.version).toBe(v1);
    // Another process (the pipeline, the CLI) promotes v2 straight in the registry.
    await new Registry({ db, objects }).promote({ location: "seoul", version: v2, by: "elsewhere" });
    const promotedAt = Date.now();
    const statuses: number[] = [];
    let switchedAt: number | undefined;
    let predictions: number[] = [];
    while (switchedAt === undefined && Date.now() - promotedAt < 5_000) {
      const res = await predict();
      statuses.push(res.status);
      const j = (await res.json()) as { model: { version: string }; predictions: number[] };
      if (j.model.version === v2) {
        switchedAt = Date.now();
        predictions = j.predictions;
      } else await new Promise((r) => setTimeout(r, 100));
    }
    expect(switchedAt).toBeDefined();
    expect(switchedAt! - promotedAt).toBeLessThanOrEqual(1_000 + 600);
    expect(statuses.every((s) => s === 200)).toBe(true);
    // The TypeScript predictor in the Worker gives the wasm Booster's values, bit for bit.
    const expected = Array.from(referenceLeadRows(b, series, 24, LAST - 10 * HOUR_MS, LAST).raw);
    expect(predictions.length).toBe(expected.length);
    predictions.forEach((p, i) => expect(Object.is(p, expected[i])).toBe(true));
  });

  it("admin: rollback through the API with the bearer token switches this isolate at once; wrong token 403", async () => {
    expect((await call("/v1/models/rollback", { method: "POST", headers: { authorization: "Bearer nope" } })).status).toBe(403);
    const res = await call("/v1/models/rollback", {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ reason: "workerd test" }),
    });
    expect(res.status).toBe(200);
    const j = (await res.json()) as { serving: { version: string }; events: { to: string }[] };
    expect(j.events[0]!.to).toBe(v1);
    expect(j.serving.version).toBe(v1);
    const f = (await (await call(`/v1/forecast?at=${new Date(LAST).toISOString()}`)).json()) as { model: { version: string } };
    expect(f.model.version).toBe(v1);
    const models = (await (await call("/v1/models")).json()) as { versions: unknown[] };
    expect(models.versions.length).toBe(2);
    const bad = await call("/v1/predict", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"lead_hours": 1, "features": {"ws": 1e999}}',
    });
    expect(bad.status).toBe(400);
  });
});

describe("REPLAY_CLOCK (npm run dev)", () => {
  async function callWith(extra: Partial<Env>, path: string): Promise<Response> {
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request(`http://nalssi.test${path}`), { ...testEnv, ...extra }, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  }

  it("serves as of the instant it names: forecasts issued then, verification labelled a replay", async () => {
    const then = LAST - 10 * DAY_MS;
    const res = await callWith({ REPLAY_CLOCK: new Date(then).toISOString() }, "/v1/forecast?location=seoul");
    expect(res.status).toBe(200);
    expect(((await res.json()) as { issued_at: string }).issued_at).toBe(utcMinute(then));
    const v = (await (
      await callWith({ REPLAY_CLOCK: new Date(then + 9 * HOUR_MS).toISOString().replace("Z", "+00:00") }, "/v1/verification?days=1")
    ).json()) as { now: string; clock: { mode: string } };
    expect(v).toMatchObject({ now: new Date(then + 9 * HOUR_MS).toISOString(), clock: { mode: "replay" } });
    // Unset: the real clock again.
    const live = (await (await callWith({}, "/v1/forecast?location=seoul")).json()) as { issued_at: string };
    expect(live.issued_at).toBe(utcMinute(LAST));
  });

  it("a value that is not an ISO time with a zone is a 500 naming REPLAY_CLOCK", async () => {
    const res = await callWith({ REPLAY_CLOCK: "latest" }, "/v1/forecast");
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("misconfigured");
    expect(body.error.message).toContain("REPLAY_CLOCK must be an ISO 8601 time");
  });
});
