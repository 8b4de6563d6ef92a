// The HTTP app end to end in-process (app.request), on an in-memory libSQL with real model versions
// (trained by LightGBM-wasm, registered like the training job does) and observations stored like the
// ingest stores them: forecasts equal the wasm model's, predictions are bit-exact, and every bad
// input gets a JSON 4xx (never a 5xx).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "@libsql/client";
import { createLocation, DEFAULT_LOCATIONS } from "../locations/locations.ts";
import { DEFAULT_RECIPE } from "../model/features-recipes.ts";
import { loadLightGBM } from "../model/lightgbm-wasm/node.ts";
import { DAY_MS, HOUR_MS } from "../model/series.ts";
import { syntheticSeries } from "../model/series-fixtures.ts";
import { fixedClock } from "../ports/clock.ts";
import { memoryLogger } from "../ports/logger.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import { Registry } from "../registry/registry.ts";
import { createServing, DEFAULT_SERVING_CONFIG } from "../serving/index.ts";
import { JobUnavailableError, type JobRunners } from "../serving/job-runners.ts";
import { MAX_BATCH_ROWS } from "../serving/predict.ts";
import {
  referenceLeadRows,
  registerTrained,
  SMALL_HOURLY_RECIPE,
  storeObservations,
  type TrainedArtifacts,
  trainArtifacts,
} from "../serving/testing/fixtures.ts";
import { contextFor, forecastRows } from "../model/hourly-model.ts";
import { loadHourlyModel } from "../model/hourly-load.ts";
import { buildLeadRows } from "../model/multilead-dataset.ts";
import { HourlyGrid } from "../model/series-grid.ts";
import { hourlyForecast } from "../serving/hourly-forecast.ts";
import { hindcastLead } from "../verification/hindcast.ts";
import { parseLocalIsoMinute } from "../time/response-timezone.ts";
import { createMemoryObjectStore } from "../storage/memory-object-store.ts";
import { openMigratedMemoryDb } from "../tracking/testing/seed.ts";
import { ADMIN_FAILURE_BUDGET } from "./admin-auth.ts";
import { createApp } from "./app.ts";
import { attachClientAddress } from "./client-address.ts";

const TOKEN = "test-admin-token-0123456789abcdef0123";
const START = Date.UTC(2024, 0, 1);
const series = { ...syntheticSeries({ days: 100, seed: 11, start: START }), locationId: "seoul" };
const LAST = series.observations.at(-1)!.time;
const CUTOFF = LAST - 10 * DAY_MS;
const ALL = Array.from({ length: 48 }, (_, k) => k + 1);

let a: TrainedArtifacts;
let b: TrainedArtifacts;
let db: Client;
let objects: ObjectStore;
let v1: string;
let v2: string;
const clock = fixedClock(new Date(LAST + 20 * 60_000));
const logger = memoryLogger();
const jobCalls: string[] = [];
const jobs: JobRunners = {
  ingest: async (req) => {
    jobCalls.push(`ingest:${req.location ?? "all"}`);
    return { ok: true, summary: { fetched: 2 } };
  },
  train: async () => {
    throw new Error(`pipeline exploded near ${TOKEN}`);
  },
};
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  const lgb = await loadLightGBM();
  a = trainArtifacts(lgb, series, CUTOFF, { ...DEFAULT_RECIPE, params: { ...DEFAULT_RECIPE.params, num_iterations: 50 } }, 7, SMALL_HOURLY_RECIPE);
  b = trainArtifacts(lgb, series, CUTOFF, { ...DEFAULT_RECIPE, params: { ...DEFAULT_RECIPE.params, num_iterations: 80 } }, 7, {
    ...SMALL_HOURLY_RECIPE,
    params: { ...SMALL_HOURLY_RECIPE.params, num_iterations: 10 },
  });
  db = await openMigratedMemoryDb();
  objects = createMemoryObjectStore();
  const regClock = fixedClock("2024-04-01T00:00:00Z");
  v1 = await registerTrained({ db, objects, clock: regClock }, "seoul", a);
  regClock.advance(60_000);
  v2 = await registerTrained({ db, objects, clock: regClock }, "seoul", b);
  await new Registry({ db, objects, clock }).promote({ location: "seoul", version: v1, by: "test" });
  await storeObservations(db, series, "seoul", LAST - 40 * DAY_MS, LAST + HOUR_MS, clock.now());
  const serving = createServing({ db, objects, clock, logger }, DEFAULT_SERVING_CONFIG);
  app = createApp({
    db,
    objects,
    clock,
    logger,
    locations: DEFAULT_LOCATIONS,
    defaultLocation: "seoul",
    ...serving,
    adminToken: TOKEN,
    jobs,
    redact: (t) => t.split(TOKEN).join("[REDACTED]"),
  });
});

afterAll(() => {
  a?.fitted.booster.free();
  b?.fitted.booster.free();
  a?.hourly?.free();
  b?.hourly?.free();
  db?.close();
});

type ErrorJson = { error: { code: string; message: string; details: unknown } };
const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: typeof body === "string" ? body : JSON.stringify(body),
});
const admin = (body?: unknown) =>
  body === undefined ? { method: "POST", headers: { authorization: `Bearer ${TOKEN}` } } : json(body, { authorization: `Bearer ${TOKEN}` });

async function expectError(res: Response, status: number, code: string): Promise<ErrorJson> {
  const body = (await res.json()) as ErrorJson;
  expect({ status: res.status, code: body.error?.code }).toEqual({ status, code });
  expect(typeof body.error.message).toBe("string");
  expect(res.headers.get("content-type")).toMatch(/application\/json/);
  expect(JSON.stringify(body)).not.toContain(TOKEN);
  expect(JSON.stringify(body)).not.toMatch(/\n\s+at /);
  return body;
}

describe("GET /v1/forecast", () => {
  type Fc = Record<string, any>;
  const get = async (q: string): Promise<Fc> => {
    const res = await app.request(`/v1/forecast${q}`);
    expect(res.status).toBe(200);
    return (await res.json()) as Fc;
  };
  const utc = (t: number) => new Date(t).toISOString().slice(0, 16);
  const kst = (t: number) => new Date(t + 9 * HOUR_MS).toISOString().slice(0, 16);

  it("answers 48 hourly arrays with units, intervals and baselines equal to hourlyForecast's (TS predictor) and to the wasm models", async () => {
    const f = await get("?location=seoul");
    const ref = hourlyForecast(loadHourlyModel(a.hourly!.artifact), { ...series, observations: series.observations.filter((o) => o.time <= LAST) });
    expect(f.issued_at).toBe(utc(LAST));
    expect(f).toMatchObject({
      latitude: 37.566535,
      longitude: 126.977969,
      timezone: "UTC",
      timezone_abbreviation: "UTC",
      utc_offset_seconds: 0,
      requested: null,
      location: { id: "seoul", nx: 60, ny: 127 },
    });
    expect(typeof f.generationtime_ms).toBe("number");
    expect(f.hourly_units).toMatchObject({
      time: "iso8601",
      temperature_2m: "°C",
      temperature_2m_p10: "°C",
      temperature_2m_p975: "°C",
      temperature_2m_kma: "°C",
    });
    const hly = f.hourly;
    expect(hly.time.length).toBe(48);
    expect(hly.lead_hours).toEqual(Array.from({ length: 48 }, (_, k) => k + 1));
    expect(hly.time[0]).toBe(utc(LAST + HOUR_MS));
    expect(hly.time[47]).toBe(utc(LAST + 48 * HOUR_MS));
    const r = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);
    expect(hly.temperature_2m).toEqual(ref.leads.map((l) => r(l.temperature)));
    expect(hly.temperature_2m_p10).toEqual(ref.leads.map((l) => r(l.p10)));
    expect(hly.temperature_2m_p90).toEqual(ref.leads.map((l) => r(l.p90)));
    expect(hly.temperature_2m_p025).toEqual(ref.leads.map((l) => r(l.p025)));
    expect(hly.temperature_2m_p975).toEqual(ref.leads.map((l) => r(l.p975)));
    expect(hly.temperature_2m_persistence).toEqual(Array(48).fill(series.observations.at(-1)!.temperature));
    expect(hly.temperature_2m_diurnal_persistence).toEqual(ref.leads.map((l) => r(l.diurnalPersistence)));
    expect(hly.temperature_2m_climatology.every((x: unknown) => typeof x === "number")).toBe(true);
    expect(hly.temperature_2m_kma).toEqual(Array(48).fill(null));
    // The TS predictor agrees with the wasm boosters that trained the set.
    const rows = buildLeadRows(new HourlyGrid(series), {
      issueFeatures: a.hourly!.artifact.recipe.issueFeatures,
      leadFeatures: a.hourly!.artifact.recipe.leadFeatures,
      context: contextFor(a.hourly!.artifact, series),
      leads: ALL,
      from: LAST,
      to: LAST + HOUR_MS,
      requireTarget: false,
    });
    expect(hly.temperature_2m).toEqual(Array.from(forecastRows(a.hourly!, rows).point, r));
    for (let k = 0; k < 48; k++) {
      const q = [hly.temperature_2m_p025[k], hly.temperature_2m_p10[k], hly.temperature_2m[k], hly.temperature_2m_p90[k], hly.temperature_2m_p975[k]];
      expect({ lead: k + 1, q }).toEqual({ lead: k + 1, q: [...q].sort((x, y) => x - y) });
      expect(hly.temperature_2m_p975[k] - hly.temperature_2m_p025[k]).toBeGreaterThan(hly.temperature_2m_p90[k] - hly.temperature_2m_p10[k]);
    }
    expect(f.model).toMatchObject({ version: v1, target: "delta", hourly_recipe: SMALL_HOURLY_RECIPE.name, lead_groups: SMALL_HOURLY_RECIPE.groups });
    expect(f.inputs).toMatchObject({ newest_observation_at: utc(LAST), age_seconds: 1200, max_age_seconds: 3 * 3600 });
  });

  it("writes every time in KST with timezone=Asia/Seoul and in UTC with timezone=UTC, for the same instants", async () => {
    const k = await get("?timezone=Asia/Seoul&hours=3");
    const u = await get("?timezone=UTC&hours=3");
    expect(k).toMatchObject({
      timezone: "Asia/Seoul",
      timezone_abbreviation: "KST",
      utc_offset_seconds: 32400,
      issued_at: kst(LAST),
      inputs: { newest_observation_at: kst(LAST) },
    });
    expect(k.hourly.time).toEqual([1, 2, 3].map((h) => kst(LAST + h * HOUR_MS)));
    expect(u).toMatchObject({ timezone: "UTC", utc_offset_seconds: 0, issued_at: utc(LAST) });
    expect(u.hourly.time).toEqual([1, 2, 3].map((h) => utc(LAST + h * HOUR_MS)));
    // The same instants: local time minus the offset.
    for (const [a1, b1] of [
      [k, u],
      [u, k],
    ] as const) {
      expect(a1.hourly.time.map((t: string) => parseLocalIsoMinute(t, a1.utc_offset_seconds))).toEqual(
        b1.hourly.time.map((t: string) => parseLocalIsoMinute(t, b1.utc_offset_seconds)),
      );
    }
    expect(k.hourly.temperature_2m).toEqual(u.hourly.temperature_2m);
  });

  it("hours=1..48 bounds the arrays; outside that is a 400", async () => {
    const one = await get("?hours=1");
    expect(Object.values(one.hourly).map((x) => (x as unknown[]).length)).toEqual(Array(Object.keys(one.hourly).length).fill(1));
    expect((await get("?hours=48")).hourly.time.length).toBe(48);
    for (const h of ["0", "49", "2.5", "x", "-1"]) await expectError(await app.request(`/v1/forecast?hours=${h}`), 400, "invalid_request");
  });

  it("names unknown query parameters in a 400", async () => {
    const e = await expectError(await app.request("/v1/forecast?location=seoul&hour=3&tz=UTC"), 400, "unknown_parameter");
    expect(e.error.message).toMatch(/"hour", "tz"/);
    expect(e.error.details).toMatchObject({ unknown: ["hour", "tz"] });
    await expectError(await app.request("/v1/forecast?timezone=Europe/Paris"), 400, "invalid_request");
  });

  it("a comma list of locations or points answers an array in request order; unknown ids get close matches", async () => {
    // A second location with the same model and observations, on an app that serves both.
    const incheon = createLocation({ id: "incheon", name: "Incheon", lat: 37.4563, lon: 126.7052, asosStationId: 112 });
    const regClock = fixedClock("2024-04-02T00:00:00Z");
    const vi = await registerTrained({ db, objects, clock: regClock }, "incheon", a);
    await new Registry({ db, objects, clock }).promote({ location: "incheon", version: vi, by: "test" });
    await storeObservations(db, { ...series, locationId: "incheon" }, "incheon", LAST - 40 * DAY_MS, LAST + HOUR_MS, clock.now());
    const serving = createServing({ db, objects, clock, logger }, DEFAULT_SERVING_CONFIG);
    const two = createApp({
      db,
      objects,
      clock,
      logger,
      locations: [...DEFAULT_LOCATIONS, incheon],
      defaultLocation: "seoul",
      ...serving,
      adminToken: TOKEN,
      jobs,
    });
    const many = async (q: string) => {
      const res = await two.request(`/v1/forecast${q}`);
      expect(res.status).toBe(200);
      return (await res.json()) as Fc[];
    };
    const both = await many("?location=incheon,seoul&hours=2");
    expect(both.map((b) => b.location.id)).toEqual(["incheon", "seoul"]);
    expect(both[1]!.hourly).toEqual((await get("?location=seoul&hours=2")).hourly);
    expect((await many("?location=seoul,incheon")).map((b) => b.location.id)).toEqual(["seoul", "incheon"]);
    // One id without a comma: one object, not an array.
    expect(Array.isArray(await (await two.request("/v1/forecast?location=incheon")).json())).toBe(false);
    // Points: the nearest location with observations, with the distance.
    const pts = await many("?latitude=37.45,37.57&longitude=126.70,126.98&hours=1");
    expect(pts.map((p) => p.location.id)).toEqual(["incheon", "seoul"]);
    expect(pts[0]!.requested).toMatchObject({ latitude: 37.45, longitude: 126.7 });
    expect(pts[0]!.requested.distance_km).toBeLessThan(2);
    expect(pts[1]!.requested.distance_km).toBeLessThan(1);
    const unknown = await expectError(await two.request("/v1/forecast?location=seoul,incheonn"), 400, "unknown_location");
    expect(unknown.error.details).toMatchObject({ unknown: ["incheonn"], suggestions: { incheonn: ["incheon"] } });
    await expectError(await two.request("/v1/forecast?location=seoul,"), 400, "invalid_request");
    await expectError(await two.request(`/v1/forecast?location=${Array.from({ length: 101 }, (_, i) => `l${i}`).join(",")}`), 400, "too_many_locations");
    await expectError(await two.request("/v1/forecast?latitude=37.5,37.6&longitude=127"), 400, "invalid_request");
    await expectError(await two.request("/v1/forecast?latitude=37.5&longitude=127&location=seoul"), 400, "invalid_request");
  });

  it("answers for an earlier time from the observations at or before it", async () => {
    const at = LAST - 5 * DAY_MS + 30 * 60_000;
    const f = await get(`?at=${new Date(at).toISOString()}&hours=24`);
    expect(f.issued_at).toBe(utc(LAST - 5 * DAY_MS));
    const ref = hourlyForecast(loadHourlyModel(a.hourly!.artifact), series, { at });
    expect(f.hourly.temperature_2m).toEqual(ref.leads.slice(0, 24).map((l) => Math.round(l.temperature * 100) / 100));
    expect(f.inputs.age_seconds).toBe(1800);
  });

  it("409 when the newest observation is too old or there is none; 404 unknown location; 400 bad or future time", async () => {
    const stale = await expectError(await app.request(`/v1/forecast?at=${new Date(LAST + 4 * HOUR_MS).toISOString()}`), 400, "invalid_request");
    expect(stale.error.message).toMatch(/in the future/);
    clock.advance(4 * HOUR_MS);
    try {
      const e = await expectError(await app.request("/v1/forecast"), 409, "stale_inputs");
      expect(e.error.details).toMatchObject({ newest_observation_at: new Date(LAST).toISOString(), max_age_seconds: 10800 });
      expect(e.error.message).toMatch(/4.3 h before now; forecasts need one at most 3.0 h old/);
    } finally {
      clock.advance(-4 * HOUR_MS);
    }
    const missing = await expectError(await app.request(`/v1/forecast?at=${new Date(START - 30 * DAY_MS).toISOString()}`), 409, "missing_inputs");
    expect(missing.error.details).toMatchObject({ missing: ["temperature"] });
    await expectError(await app.request("/v1/forecast?location=busan"), 400, "unknown_location");
    await expectError(await app.request("/v1/forecast?at=tomorrow"), 400, "invalid_request");
    await expectError(await app.request("/v1/forecast?at=2024-02-30T00:00:00Z"), 400, "invalid_request");
    await expectError(await app.request("/v1/forecast?latitude=37.5"), 400, "invalid_request");
  });
});

const leadRows = (h: number, from: number, to: number) => referenceLeadRows(a, series, h, from, to);

describe("GET /v1/verification by lead", () => {
  it("hindcasts the chosen lead with the 1..48 h set (only issue hours after its cutoff), with intervals, per-lead holdout scores and the quality-flag count", async () => {
    const res = await app.request("/v1/verification?days=3&lead=6");
    expect(res.status).toBe(200);
    const v = (await res.json()) as Record<string, any>;
    expect(v.window.lead_hours).toBe(6);
    const cutoff = Date.parse(a.hourly!.artifact.trainedBefore);
    expect(Date.parse(v.window.issued_from)).toBeGreaterThanOrEqual(cutoff);
    const w = { from: Date.parse(v.window.issued_from), to: Date.parse(v.window.issued_to) };
    const ref = hindcastLead({ version: v1, ...loadHourlyModel(a.hourly!.artifact) }, series, w, 6);
    const r = (x: number | null | undefined) => (x === null || x === undefined ? null : Math.round(x * 100) / 100);
    expect(v.hours.map((x: any) => x.model_c)).toEqual(ref.hours.map((x) => r(x.model)));
    expect(v.hours.map((x: any) => x.p10_c)).toEqual(ref.hours.map((x) => r(x.p10)));
    expect(v.hours.map((x: any) => Date.parse(x.valid_at) - Date.parse(x.issued_at))).toEqual(v.hours.map(() => 6 * HOUR_MS));
    for (const x of v.hours.filter((x: any) => x.model_c !== null))
      expect(x.p025_c <= x.p10_c && x.p10_c <= x.model_c && x.model_c <= x.p90_c && x.p90_c <= x.p975_c).toBe(true);
    expect(v.scores.coverage80).toBeGreaterThanOrEqual(0);
    expect(v.scores.coverage95).toBeGreaterThanOrEqual(v.scores.coverage80);
    // Per lead, from the version's stored metrics.json.
    const stored = (
      a.metrics.holdout as unknown as {
        leads: { lead_hours: number; model: { rmse: number }; diurnal_persistence: { rmse: number }; interval80: { coverage: number } }[];
      }
    ).leads;
    expect(v.by_lead.leads.map((l: any) => l.lead_hours)).toEqual(stored.map((l) => l.lead_hours));
    expect(v.by_lead.leads[0].model).toBe(Math.round(stored[0]!.model.rmse * 1000) / 1000);
    expect(v.by_lead.leads.at(-1).diurnal_persistence).toBe(Math.round(stored.at(-1)!.diurnal_persistence.rmse * 1000) / 1000);
    expect(v.by_lead.leads[0].interval80.coverage).toBe(Math.round(stored[0]!.interval80.coverage * 10000) / 10000);
    expect(v.quality).toEqual({ flagged_observations: 0, by_field: {} });
    await db.execute({
      sql: `UPDATE observations SET qc_flags = '{"temperature_c":"spike","humidity_pct":"implausible"}' WHERE location_id = 'seoul' AND observed_at = ?`,
      args: [new Date(LAST - 20 * DAY_MS).toISOString().replace(/\.000Z$/, "Z")],
    });
    try {
      const q = (await (await app.request("/v1/verification?days=1")).json()) as Record<string, any>;
      expect(q.quality).toEqual({ flagged_observations: 1, by_field: { humidity_pct: 1, temperature_c: 1 } });
      expect(q.window.lead_hours).toBe(24);
    } finally {
      await db.execute("UPDATE observations SET qc_flags = NULL WHERE location_id = 'seoul'");
    }
    for (const bad of ["0", "49", "x"]) await expectError(await app.request(`/v1/verification?lead=${bad}`), 400, "invalid_request");
  });
});

describe("POST /v1/predict", () => {
  it("predicts one row and a batch of a lead in order, bit-exact with the wasm boosters, in the target space, with the intervals", async () => {
    for (const h of [1, 24, 48]) {
      const { rows, raw } = leadRows(h, LAST - 5 * DAY_MS, LAST - 5 * DAY_MS + 100 * HOUR_MS);
      expect(rows.length).toBe(100);
      const one = await app.request("/v1/predict", json({ lead_hours: h, features: rows[0] }));
      expect(one.status).toBe(200);
      const p1 = (await one.json()) as Record<string, any>;
      expect(p1.predictions).toEqual([raw[0]]);
      const c = a.hourly!.artifact.calibration.leads[h - 1]!;
      expect(p1.intervals).toEqual({ p10: [raw[0]! + c.q10], p90: [raw[0]! + c.q90], p025: [raw[0]! + c.q025], p975: [raw[0]! + c.q975] });
      expect(p1).toMatchObject({
        location: "seoul",
        lead_hours: h,
        model: { version: v1, hourly_recipe: SMALL_HOURLY_RECIPE.name },
        output: "target",
        target: { name: "delta", unit: "°C" },
      });
      expect(p1.model.lead_group[0] <= h && h <= p1.model.lead_group[1]).toBe(true);
      const many = await app.request("/v1/predict", json({ lead_hours: h, instances: rows }));
      const pm = (await many.json()) as { predictions: number[] };
      expect(pm.predictions.length).toBe(100);
      pm.predictions.forEach((p, i) => expect(Object.is(p, raw[i])).toBe(true));
    }
  });

  it("a 400 for many unknown or long feature names lists a few, then counts (the answer stays small)", async () => {
    const { rows } = referenceLeadRows(a, series, 24, LAST - DAY_MS, LAST - DAY_MS + HOUR_MS);
    const extra = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`unknown_feature_${i}`, 1]));
    const body = JSON.stringify({ lead_hours: 24, features: { ...rows[0], ...extra, ["y".repeat(100_000)]: 2 } });
    const res = await app.request("/v1/predict", json(body));
    const text = await res.clone().text();
    const e = await expectError(res, 400, "invalid_request");
    expect(text.length).toBeLessThan(5_000);
    expect(e.error.message).toMatch(/unknown unknown_feature_0, .*unknown_feature_9 and 19991 more/);
    expect(e.error.details).toMatchObject({ unknown: expect.arrayContaining(["unknown_feature_0"]), counts: { unknown: 20_001, missing: 0 } });
    expect((e.error.details as { unknown: string[] }).unknown).toHaveLength(10);
    const batch = await app.request(
      "/v1/predict",
      json({ lead_hours: 24, instances: Array.from({ length: 30 }, () => ({ ...rows[0], ...Object.fromEntries(Object.entries(extra).slice(0, 2000)) })) }),
    );
    const batchText = await batch.clone().text();
    await expectError(batch, 400, "invalid_request");
    expect(batchText.length).toBeLessThan(30_000);
    // a strict request body: zod's "unrecognized keys" message names every key
    const keys = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, 1]));
    const adminRes = await app.request("/v1/admin/reload", admin({ location: "seoul", ...keys }));
    const adminText = await adminRes.clone().text();
    await expectError(adminRes, 400, "invalid_request");
    expect(adminText.length).toBeLessThan(5_000);
  });

  it("accepts null as a missing value", async () => {
    const { rows } = leadRows(6, LAST - DAY_MS, LAST - DAY_MS + HOUR_MS);
    const row = { ...rows[0]!, ws: null, ta_d3: null };
    const res = await app.request("/v1/predict", json({ lead_hours: 6, features: row }));
    expect(res.status).toBe(200);
    expect(Number.isFinite(((await res.json()) as { predictions: number[] }).predictions[0])).toBe(true);
  });

  it("lists missing, unknown and non-numeric features; refuses a row naming lead, a bad lead, NaN, Infinity, too many rows, both or neither form", async () => {
    const { rows } = leadRows(3, LAST - DAY_MS, LAST - DAY_MS + 2 * HOUR_MS);
    const { ws: _ws, ...noWs } = rows[0]!;
    const e1 = await expectError(
      await app.request("/v1/predict", json({ lead_hours: 3, features: { ...noWs, extra: 1, hour_sin: "0.5", ta_d3: true } })),
      400,
      "invalid_request",
    );
    expect(e1.error.details).toMatchObject({ missing: ["ws"], unknown: ["extra"], non_numeric: ["hour_sin", "ta_d3"] });
    expect(e1.error.message).toMatch(/missing ws; unknown extra; not a finite number or null: hour_sin, ta_d3/);
    const e2 = await expectError(
      await app.request("/v1/predict", json({ lead_hours: 3, instances: [rows[0], { ...rows[1], ws: "NaN" }, rows[0], { ...rows[1], bogus: 2 }] })),
      400,
      "invalid_request",
    );
    expect(e2.error.details).toMatchObject({
      invalid_instances: 2,
      instances: [
        { index: 1, non_numeric: ["ws"] },
        { index: 3, unknown: ["bogus"] },
      ],
    });
    const e3 = await expectError(await app.request("/v1/predict", json({ lead_hours: 3, features: { ...rows[0], lead: 3 } })), 400, "invalid_request");
    expect(e3.error.details).toMatchObject({ unknown: ["lead"] });
    for (const lead of [0, 49, 2.5, "3", null])
      await expectError(await app.request("/v1/predict", json({ lead_hours: lead, features: rows[0] })), 400, "invalid_request");
    await expectError(await app.request("/v1/predict", json({ features: rows[0] })), 400, "invalid_request");
    // 1e999 parses to Infinity; NaN is not JSON at all.
    const inf = await expectError(
      await app.request("/v1/predict", json(JSON.stringify({ lead_hours: 3, features: rows[0] }).replace(/"ws":[^,}]+/, '"ws":1e999'))),
      400,
      "invalid_request",
    );
    expect(inf.error.details).toMatchObject({ non_numeric: ["ws"] });
    await expectError(
      await app.request("/v1/predict", json(JSON.stringify({ lead_hours: 3, features: rows[0] }).replace(/"ws":[^,}]+/, '"ws":NaN'))),
      400,
      "malformed_json",
    );
    await expectError(
      await app.request("/v1/predict", json({ lead_hours: 3, instances: Array.from({ length: MAX_BATCH_ROWS + 1 }, () => ({})) })),
      400,
      "invalid_request",
    );
    await expectError(await app.request("/v1/predict", json({ lead_hours: 3, instances: [] })), 400, "invalid_request");
    await expectError(await app.request("/v1/predict", json({ lead_hours: 3, features: rows[0], instances: [rows[0]] })), 400, "invalid_request");
    await expectError(await app.request("/v1/predict", json({})), 400, "invalid_request");
    await expectError(await app.request("/v1/predict", json({ lead_hours: 3, features: rows[0], location: "busan" })), 404, "unknown_location");
  });
});

describe("bad requests on every route: JSON 4xx, never 5xx", () => {
  const bodies: [string, string | undefined, string | undefined][] = [
    ["malformed JSON", "{bad", "application/json"],
    ["JSON null", "null", "application/json"],
    ["JSON array", "[1,2]", "application/json"],
    ["JSON string", '"x"', "application/json"],
    ["wrong types", '{"location": 5, "features": [1], "instances": "x", "reason": 3, "by": {}}', "application/json"],
    ["form body", "a=1", "application/x-www-form-urlencoded"],
    ["text body", "hello", "text/plain"],
    ["body without content type", "{}", undefined],
    ["unknown field", '{"location": "seoul", "zzz": 1}', "application/json"],
    ["NaN literal", '{"features": {"ws": NaN}}', "application/json"],
  ];
  const posts = ["/v1/predict", "/v1/models/20240101T000000Z/promote", "/v1/models/rollback", "/v1/admin/reload", "/v1/admin/jobs/ingest/run"];
  const gets = ["/v1/forecast", "/v1/models", "/v1/models/x", "/v1/runs", "/v1/jobs", "/healthz", "/openapi.json", "/docs"];
  const queries = [
    "?location=",
    "?location=%00",
    "?location=" + "a".repeat(100),
    "?limit=-1",
    "?limit=abc",
    "?limit=1e9",
    "?at=2024-01-01",
    "?at=" + "9".repeat(40),
  ];

  it("POST bodies", async () => {
    for (const path of posts) {
      for (const [what, body, type] of bodies) {
        const res = await app.request(path, {
          method: "POST",
          headers: { ...(type ? { "content-type": type } : {}), authorization: `Bearer ${TOKEN}` },
          ...(body !== undefined ? { body } : {}),
        });
        expect({ path, what, status: res.status < 500 && res.status >= 400 }).toEqual({ path, what, status: true });
        const j = (await res.json()) as ErrorJson;
        expect(typeof j.error.code).toBe("string");
      }
    }
  });

  it("query strings and path parameters", async () => {
    for (const path of gets) {
      for (const q of queries) {
        const res = await app.request(path + q);
        expect({ path: path + q, ok: res.status < 500 }).toEqual({ path: path + q, ok: true });
      }
    }
    await expectError(await app.request("/v1/models/" + "v".repeat(200)), 400, "invalid_request");
    await expectError(await app.request("/v1/models/..%2F..%2Fetc"), 400, "invalid_request");
    await expectError(await app.request("/v1/runs?limit=0"), 400, "invalid_request");
    await expectError(await app.request("/v1/nothing"), 404, "not_found");
    const del = await app.request("/v1/forecast", { method: "DELETE" });
    expect(del.headers.get("allow")).toBe("GET, HEAD");
    await expectError(del, 405, "method_not_allowed");
    for (const [method, path, allow] of [
      ["OPTIONS", "/v1/predict", "POST"],
      ["PATCH", "/v1/models/x", "GET, HEAD"],
      ["PUT", "/v1/models/x/promote", "POST"],
      ["GET", "/v1/admin/reload", "POST"],
    ] as const) {
      const res = await app.request(path, { method });
      expect({ method, path, allow: res.headers.get("allow") }).toEqual({ method, path, allow });
      await expectError(res, 405, "method_not_allowed");
    }
    await expectError(await app.request("/v1/forecast/x", { method: "DELETE" }), 404, "not_found");
  });

  it("a body over the size limit: 413", async () => {
    const big = JSON.stringify({ instances: [{ ws: 1 }], pad: "x".repeat(9 * 1024 * 1024) });
    await expectError(await app.request("/v1/predict", json(big)), 413, "payload_too_large");
    // streamed without a length too
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode("x".repeat(1024 * 1024)));
        c.close();
      },
    });
    const res = await app.request("/v1/predict", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    await expectError(res, 413, "payload_too_large");
  });
});

describe("registry, runs and jobs", () => {
  it("GET /v1/models lists versions with holdout scores, aliases, history and what is served", async () => {
    await app.request("/v1/forecast");
    const m = (await (await app.request("/v1/models?location=seoul")).json()) as Record<string, any[]>;
    expect(m.versions!.map((v) => v.version).sort()).toEqual([v1, v2].sort());
    expect(m.aliases!.find((x) => x.alias === "production")?.version).toBe(v1);
    expect(m.history!.length).toBeGreaterThan(0);
    expect(m.serving![0]).toMatchObject({ location: "seoul", version: v1 });
  });

  it("GET /v1/models/{version} gives the feature spec in order with types", async () => {
    const res = await app.request(`/v1/models/${v2}`);
    expect(res.status).toBe(200);
    const d = (await res.json()) as Record<string, any>;
    expect(d.production).toBe(false);
    expect(d.feature_spec.features.map((f: { name: string }) => f.name)).toEqual(DEFAULT_RECIPE.features);
    expect(d.feature_spec.features.every((f: { type: string }) => f.type === "float")).toBe(true);
    expect(d).toMatchObject({ iterations: 80, feature_spec: { version: "nalssi-features-v1", target: "delta", horizon_hours: 24 } });
    await expectError(await app.request("/v1/models/20200101T000000Z"), 404, "not_found");
  });

  it("GET /v1/runs and /v1/jobs", async () => {
    const r = (await (await app.request("/v1/runs?limit=5&location=seoul")).json()) as Record<string, any[]>;
    expect(r.training_runs!.length).toBe(2);
    expect(r.training_runs![0]).toMatchObject({ status: "succeeded", location: "seoul" });
    expect(r.pipeline_runs).toEqual([]);
    await db.execute(
      "INSERT INTO ingest_runs (job, location_id, started_at, finished_at, status, rows_inserted) VALUES ('vilage_fcst', 'seoul', '2024-04-09T00:00:00Z', '2024-04-09T00:00:05Z', 'succeeded', 12)",
    );
    const j = (await (await app.request("/v1/jobs")).json()) as Record<string, any[]>;
    expect(j.ingest_runs![0]).toMatchObject({ job: "vilage_fcst", status: "succeeded", durationMs: 5000, rows: { inserted: 12 } });
    expect(j.available_jobs).toEqual(["ingest", "train"]);
  });
});

describe("admin", () => {
  it("401 without a token, 403 with a wrong one, 404 when no token is configured", async () => {
    const r401 = await app.request("/v1/admin/reload", { method: "POST" });
    await expectError(r401, 401, "unauthorized");
    await expectError(await app.request("/v1/admin/reload", { method: "POST", headers: { authorization: "Basic abc" } }), 401, "unauthorized");
    await expectError(await app.request("/v1/admin/reload", { method: "POST", headers: { authorization: `Bearer ${TOKEN}x` } }), 403, "forbidden");
    await expectError(await app.request("/v1/admin/reload", { method: "POST", headers: { authorization: "Bearer " } }), 401, "unauthorized");
    const open = createApp({
      db,
      objects,
      clock,
      logger,
      locations: DEFAULT_LOCATIONS,
      defaultLocation: "seoul",
      ...createServing({ db, objects, clock, logger }, DEFAULT_SERVING_CONFIG),
      jobs,
    });
    for (const p of ["/v1/admin/reload", `/v1/models/${v2}/promote`, "/v1/models/rollback", "/v1/admin/jobs/ingest/run"]) {
      await expectError(await open.request(p, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` } }), 404, "not_found");
    }
  });

  it("wrong tokens spend a per-client budget: 429 with Retry-After, even for the right token; other clients unaffected", async () => {
    const from = (address: string, token: string) =>
      attachClientAddress(new Request("http://x/v1/admin/reload", { method: "POST", headers: { authorization: `Bearer ${token}` } }), address);
    for (let i = 0; i < ADMIN_FAILURE_BUDGET.burst; i++) await expectError(await app.request(from("10.0.0.1", `guess-${i}`)), 403, "forbidden");
    const limited = await app.request(from("10.0.0.1", TOKEN));
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    await expectError(limited, 429, "too_many_requests");
    expect((await app.request(from("10.0.0.2", TOKEN))).status).toBe(200);
  });

  it("a configured ADMIN_TOKEN shorter than 32 characters disables the admin routes (503) and says why; the API still serves", async () => {
    const log = memoryLogger();
    const short = createApp({
      db,
      objects,
      clock,
      logger: log,
      locations: DEFAULT_LOCATIONS,
      defaultLocation: "seoul",
      ...createServing({ db, objects, clock, logger: log }, DEFAULT_SERVING_CONFIG),
      adminToken: "x",
      jobs,
    });
    const e = await expectError(await short.request("/v1/admin/reload", { method: "POST", headers: { authorization: "Bearer x" } }), 503, "admin_disabled");
    expect(e.error.message).toMatch(/ADMIN_TOKEN is 1 characters; use at least 32/);
    expect(log.records.some((r) => r.level === "error" && /admin routes disabled: ADMIN_TOKEN is 1 characters/.test(r.message))).toBe(true);
    expect((await short.request("/v1/forecast")).status).toBe(200);
  });

  it("promote switches this process at once; rollback back; reload reports the status", async () => {
    const p = await app.request(`/v1/models/${v2}/promote`, admin({ reason: "better holdout", by: "alice" }));
    expect(p.status).toBe(200);
    const pb = (await p.json()) as Record<string, any>;
    expect(pb.events[0]).toMatchObject({ action: "promote", from: v1, to: v2, actor: { kind: "person", name: "alice" }, reason: "better holdout" });
    expect(pb.serving.version).toBe(v2);
    expect(((await (await app.request("/v1/forecast")).json()) as { model: { version: string } }).model.version).toBe(v2);
    await expectError(await app.request(`/v1/models/${v2}/promote`, admin()), 409, "conflict");
    await expectError(await app.request("/v1/models/20200101T000000Z/promote", admin()), 404, "not_found");
    const r = await app.request("/v1/models/rollback", admin());
    expect(r.status).toBe(200);
    expect(((await r.json()) as Record<string, any>).serving.version).toBe(v1);
    const empty = await app.request("/v1/admin/reload", {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", "content-length": "0" },
    });
    expect(empty.status).toBe(200);
    const rl = (await (await app.request("/v1/admin/reload", admin({ location: "seoul" }))).json()) as { models: { version: string }[] };
    expect(rl.models[0]!.version).toBe(v1);
    await expectError(await app.request("/v1/admin/reload", admin({ location: "busan" })), 404, "unknown_location");
  });

  it("runs injected jobs; a failing job answers ok=false without its secret; unknown jobs 404; unavailable 409", async () => {
    const ok = await app.request("/v1/admin/jobs/ingest/run", admin({ location: "seoul" }));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ job: "ingest", ok: true, summary: { fetched: 2 } });
    expect(jobCalls).toEqual(["ingest:seoul"]);
    const bad = await app.request("/v1/admin/jobs/train/run", admin());
    expect(bad.status).toBe(200);
    const bb = (await bad.json()) as Record<string, any>;
    expect(bb).toMatchObject({ job: "train", ok: false });
    expect(bb.summary.error).toMatch(/pipeline exploded near \[REDACTED\]/);
    await expectError(await app.request("/v1/admin/jobs/backfill/run", admin()), 404, "unknown_job");
    const unavailable = createApp({
      db,
      objects,
      clock,
      logger,
      locations: DEFAULT_LOCATIONS,
      defaultLocation: "seoul",
      ...createServing({ db, objects, clock, logger }, DEFAULT_SERVING_CONFIG),
      adminToken: TOKEN,
      jobs: {
        ingest: async () => {
          throw new JobUnavailableError("KMA_SERVICE_KEY is not set");
        },
      },
    });
    await expectError(await unavailable.request("/v1/admin/jobs/ingest/run", admin()), 409, "job_unavailable");
    await expectError(await unavailable.request("/v1/admin/jobs/train/run", admin()), 404, "unknown_job");
  });
});

describe("security headers", () => {
  it("every answer, JSON or error, says nosniff, no framing and a CSP; the dashboard keeps its own CSP", async () => {
    for (const [method, path, status] of [
      ["GET", "/v1/forecast", 200],
      ["GET", "/openapi.json", 200],
      ["GET", "/healthz", 200],
      ["GET", "/v1/nothing", 404],
      ["DELETE", "/v1/forecast", 405],
      ["POST", "/v1/admin/reload", 401],
    ] as const) {
      const res = await app.request(path, { method });
      expect({
        path,
        status: res.status,
        nosniff: res.headers.get("x-content-type-options"),
        frame: res.headers.get("x-frame-options"),
        csp: res.headers.get("content-security-policy"),
      }).toEqual({
        path,
        status,
        nosniff: "nosniff",
        frame: "DENY",
        csp: expect.stringContaining("frame-ancestors 'none'"),
      });
    }
    const dash = await app.request("/dashboard");
    expect(dash.headers.get("content-security-policy")).toMatch(/script-src 'self'/);
  });
});

describe("health and documentation", () => {
  it("/healthz: 200 ok with the model and the newest observation age; 503 unhealthy without a model", async () => {
    const res = await app.request("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: "ok",
      reasons: [],
      database: { reachable: true },
      locations: [
        {
          id: "seoul",
          model_version: v1,
          production_version: v1,
          newest_observation_at: new Date(LAST).toISOString().replace(".000", ""),
          newest_observation_age_seconds: 1200,
        },
      ],
    });
    const empty = await openMigratedMemoryDb();
    const none = createApp({
      db: empty,
      objects,
      clock,
      logger,
      locations: DEFAULT_LOCATIONS,
      defaultLocation: "seoul",
      ...createServing({ db: empty, objects, clock, logger }, DEFAULT_SERVING_CONFIG),
      jobs,
    });
    const h = await none.request("/healthz");
    expect(h.status).toBe(503);
    expect(await h.json()).toMatchObject({
      status: "unhealthy",
      reasons: expect.arrayContaining([expect.objectContaining({ code: "no_model" })]),
      locations: [{ model_version: null, model_problem: expect.stringMatching(/no production model/) }],
    });
    await expectError(await none.request("/v1/forecast"), 503, "no_model");
    await expectError(await none.request("/v1/predict", json({ lead_hours: 1, features: {} })), 503, "no_model");
    empty.close();
  });

  it("/openapi.json describes every route from the zod schemas; /docs is self-contained", async () => {
    const doc = (await (await app.request("/openapi.json")).json()) as { paths: Record<string, Record<string, any>>; components: Record<string, any> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/healthz",
        "/v1/admin/jobs/{name}/run",
        "/v1/admin/reload",
        "/v1/forecast",
        "/v1/jobs",
        "/v1/models",
        "/v1/models/rollback",
        "/v1/models/{version}",
        "/v1/models/{version}/promote",
        "/v1/predict",
        "/v1/runs",
      ]),
    );
    expect(doc.paths["/v1/predict"]!.post.requestBody.content["application/json"].schema.$ref).toBe("#/components/schemas/PredictRequest");
    expect(doc.paths["/v1/admin/reload"]!.post.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    const docs = await app.request("/docs");
    const csp = docs.headers.get("content-security-policy") ?? "";
    const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(csp).toMatch(/default-src 'none'.*frame-ancestors 'none'/);
    expect(docs.headers.get("x-frame-options")).toBe("DENY");
    const html = await docs.text();
    expect(html).toContain(`<script nonce="${nonce}">`);
    expect(html).toContain(`<style nonce="${nonce}">`);
    expect(html.match(/<script\b/g)).toHaveLength(1);
    expect(html).toContain("openapi.json");
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//);
  });
});
