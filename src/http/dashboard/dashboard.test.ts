// The dashboard and GET /v1/verification through the real app (createApp, in-process), on an
// in-memory libSQL with a real model version (trained by LightGBM-wasm, registered and promoted like
// the pipeline does) and observations stored like the ingest stores them: the page says when the
// clock is a replay, its assets are served from the bundle, and the hindcasts are the wasm model's
// forecasts for issue hours after its training cutoff, from the same series the route reads.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "@libsql/client";
import { loadSeries } from "../../jobs/train/load-series.ts";
import { DEFAULT_LOCATIONS } from "../../locations/locations.ts";
import { datasetFor, predictTemperatures } from "../../model/forecast-model.ts";
import { DEFAULT_RECIPE } from "../../model/features-recipes.ts";
import { loadLightGBM } from "../../model/lightgbm-wasm/node.ts";
import { DAY_MS, HOUR_MS } from "../../model/series.ts";
import { syntheticSeries } from "../../model/series-fixtures.ts";
import { fixedClock } from "../../ports/clock.ts";
import { memoryLogger } from "../../ports/logger.ts";
import type { ObjectStore } from "../../ports/object-store.ts";
import { Registry } from "../../registry/registry.ts";
import { createServing, DEFAULT_SERVING_CONFIG } from "../../serving/index.ts";
import { registerTrained, storeObservations, type TrainedArtifacts, trainArtifacts } from "../../serving/testing/fixtures.ts";
import { createMemoryObjectStore } from "../../storage/memory-object-store.ts";
import { replayClock } from "../../time/replay-clock.ts";
import { openMigratedMemoryDb } from "../../tracking/testing/seed.ts";
import { createApp } from "../app.ts";
import { DASHBOARD_CSS, DASHBOARD_JS } from "./assets.generated.ts";
import { DASHBOARD_SCRIPT_URL, DASHBOARD_STYLE_URL } from "./routes.ts";

const START = Date.UTC(2024, 0, 1);
const series = { ...syntheticSeries({ days: 100, seed: 7, start: START }), locationId: "seoul" };
const LAST = series.observations.at(-1)!.time;
const CUTOFF = LAST - 10 * DAY_MS;

let a: TrainedArtifacts;
let db: Client;
let objects: ObjectStore;
let version: string;
const logger = memoryLogger();
const replay = replayClock(new Date(LAST), "the test data ends here.");

function appWith(clock: typeof replay | ReturnType<typeof fixedClock>) {
  const serving = createServing({ db, objects, clock, logger }, DEFAULT_SERVING_CONFIG);
  return createApp({ db, objects, clock, logger, locations: DEFAULT_LOCATIONS, defaultLocation: "seoul", ...serving, jobs: {} });
}

beforeAll(async () => {
  const lgb = await loadLightGBM();
  a = trainArtifacts(lgb, series, CUTOFF, { ...DEFAULT_RECIPE, params: { ...DEFAULT_RECIPE.params, num_iterations: 40 } });
  db = await openMigratedMemoryDb();
  objects = createMemoryObjectStore();
  const clock = fixedClock("2024-04-01T00:00:00Z");
  version = await registerTrained({ db, objects, clock }, "seoul", a);
  await storeObservations(db, series, "seoul", LAST - 60 * DAY_MS, LAST + HOUR_MS, clock.now());
});

afterAll(() => {
  a?.fitted.booster.free();
  db?.close();
});

describe("GET /dashboard", () => {
  it("serves the page with its hashed script and stylesheet, a strict CSP, and says when the clock is a replay", async () => {
    const app = appWith(replay);
    const res = await app.request("/dashboard");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toContain(`<script type="module" src="${DASHBOARD_SCRIPT_URL}">`);
    expect(html).toContain(`href="${DASHBOARD_STYLE_URL}"`);
    expect(html).toContain('data-clock="replay"');
    expect(html).toMatch(/<strong>Replay\.<\/strong> The clock is set to <time datetime="[^"]+">[^<]+ KST<\/time>: the test data ends here\./);
    for (const id of ["forecast", "verification", "registry", "runs", "jobs"]) expect(html).toContain(`<section id="${id}"`);

    const js = await app.request(DASHBOARD_SCRIPT_URL);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toContain("immutable");
    expect(await js.text()).toBe(DASHBOARD_JS);
    const css = await app.request(DASHBOARD_STYLE_URL);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(await css.text()).toBe(DASHBOARD_CSS);
    // Another hash is not an asset.
    expect((await app.request("/dashboard/assets/app.0000000000000000.js")).status).toBe(404);
  });

  it("has no replay note on a real clock", async () => {
    const html = await (await appWith(fixedClock(new Date(LAST + 10 * 60_000))).request("/dashboard/")).text();
    expect(html).toContain('data-clock="real"');
    expect(html).not.toContain("Replay.");
  });
});

describe("GET /v1/verification", () => {
  it("answers 503 while no model is in production", async () => {
    const res = await appWith(replay).request("/v1/verification");
    expect(res.status).toBe(503);
    const { error } = (await res.json()) as { error: { code: string; message: string; details: unknown } };
    expect(error.code).toBe("no_model");
    expect(error.details).toEqual({ location: "seoul" });
    expect(error.message).toMatch(/seoul/);
  });

  it("gives the wasm model's forecasts for every issue hour after the training cutoff, with observations, baselines and scores", async () => {
    await new Registry({ db, objects, clock: fixedClock("2024-04-01T00:01:00Z") }).promote({ location: "seoul", version, by: "test" });
    const res = await appWith(replay).request("/v1/verification?location=seoul&days=14&rolling_hours=24");
    expect(res.status).toBe(200);
    const v = (await res.json()) as {
      now: string;
      clock: { mode: string; reason: string | null };
      model: { version: string; data_until: string };
      window: { issued_from: string; issued_to: string; days: number; rolling_hours: number };
      scores: { n: number; model: { rmse: number }; persistence: { rmse: number }; skill_vs_persistence: number } | null;
      hours: {
        valid_at: string;
        issued_at: string;
        observed_c: number | null;
        model_c: number | null;
        persistence_c: number | null;
        rolling_rmse: { model: number | null };
      }[];
    };
    expect(v.clock).toEqual({ mode: "replay", reason: "the test data ends here." });
    expect(v.now).toBe(new Date(LAST).toISOString());
    expect(v.model.version).toBe(version);
    const trainedBefore = Date.parse(v.model.data_until);
    // Issue hours: the last 14 days up to now, but none before the training cutoff.
    const from = Math.max(trainedBefore, LAST + HOUR_MS - 14 * DAY_MS);
    expect(Date.parse(v.window.issued_from)).toBe(from);
    expect(Date.parse(v.window.issued_to)).toBe(LAST + HOUR_MS);
    expect(v.hours).toHaveLength((LAST + HOUR_MS - from) / HOUR_MS);
    expect(v.hours.every((h) => Date.parse(h.issued_at) >= trainedBefore && Date.parse(h.valid_at) === Date.parse(h.issued_at) + DAY_MS)).toBe(true);

    // The reference: the LightGBM-wasm model on the series the route reads (35-day look-back).
    const s = await loadSeries(db, "seoul", {
      from: new Date(from - DEFAULT_SERVING_CONFIG.forecastWindowDays * DAY_MS - HOUR_MS),
      before: new Date(LAST + HOUR_MS),
    });
    const ds = datasetFor(a.fitted, s, { from, to: LAST + HOUR_MS, requireTarget: false });
    const ref = predictTemperatures(a.fitted, ds);
    expect(ds.numRows).toBe(v.hours.length);
    for (let r = 0; r < ds.numRows; r++) {
      const h = v.hours[r]!;
      expect(Date.parse(h.issued_at)).toBe(ds.issueTime[r]);
      expect(Math.abs(h.model_c! - ref[r]!)).toBeLessThanOrEqual(0.005 + 1e-9); // rounded to 0.01 °C
      expect(h.persistence_c).toBeCloseTo(ds.current[r]!, 2);
      // Observed only up to "now": the last 24 valid hours are in the future.
      const valid = Date.parse(h.valid_at);
      if (valid <= LAST) expect(h.observed_c).toBeCloseTo(ds.target[r]!, 2);
      else expect(h.observed_c).toBeNull();
      if (valid > LAST) expect(h.rolling_rmse.model).toBeNull();
    }
    expect(v.scores!.n).toBe(v.hours.filter((h) => h.observed_c !== null).length);
    expect(v.scores!.skill_vs_persistence).toBeCloseTo(1 - v.scores!.model.rmse / v.scores!.persistence.rmse, 2);
  });

  it("refuses bad parameters with a JSON 400 and unknown locations with 404, and is in the OpenAPI document", async () => {
    const app = appWith(replay);
    for (const q of ["days=0", "days=61", "days=x", "rolling_hours=1"]) {
      const res = await app.request(`/v1/verification?${q}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_request");
    }
    expect((await app.request("/v1/verification?location=busan")).status).toBe(404);
    const doc = (await (await app.request("/openapi.json")).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toContain("/v1/verification");
  });
});
