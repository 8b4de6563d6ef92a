// /healthz from state kept fresh in the background, on the real app over a real (in-memory) libSQL
// with a trained production model: ok; degraded when the forecast would answer 409 or when an older
// model is served for longer than the reload interval; unhealthy when the database is gone; and no
// database work per request between refreshes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "@libsql/client";
import { createApp } from "../http/app.ts";
import { DEFAULT_LOCATIONS } from "../locations/locations.ts";
import { DEFAULT_RECIPE } from "../model/features-recipes.ts";
import { loadLightGBM } from "../model/lightgbm-wasm/node.ts";
import { DAY_MS, HOUR_MS } from "../model/series.ts";
import { syntheticSeries } from "../model/series-fixtures.ts";
import { fixedClock } from "../ports/clock.ts";
import { type Database, DatabaseUnavailableError } from "../ports/database.ts";
import { silentLogger } from "../ports/logger.ts";
import { Registry } from "../registry/registry.ts";
import { createMemoryObjectStore } from "../storage/memory-object-store.ts";
import { openMigratedMemoryDb } from "../tracking/testing/seed.ts";
import { createServing, DEFAULT_SERVING_CONFIG } from "./index.ts";
import { registerTrained, SMALL_HOURLY_RECIPE, storeObservations, type TrainedArtifacts, trainArtifacts } from "./testing/fixtures.ts";

const START = Date.UTC(2024, 0, 1);
const series = { ...syntheticSeries({ days: 60, seed: 5, start: START }), locationId: "seoul" };
const LAST = series.observations.at(-1)!.time;
let db: Client;
let a: TrainedArtifacts;
const objects = createMemoryObjectStore();
const clock = fixedClock(new Date(LAST + 20 * 60_000));
let v1: string;
let v2: string;
// the database as the app sees it: counts calls, and can be "gone" like a moved file
let calls = 0;
let gone = false;
const seen: Database = {
  execute: ((...args: unknown[]) => (
    calls++, gone ? Promise.reject(new DatabaseUnavailableError("gone")) : (db.execute as (...x: unknown[]) => unknown)(...args)
  )) as Database["execute"],
  batch: ((...args: unknown[]) => (
    calls++, gone ? Promise.reject(new DatabaseUnavailableError("gone")) : (db.batch as (...x: unknown[]) => unknown)(...args)
  )) as Database["batch"],
  transaction: ((m) => db.transaction(m)) as Database["transaction"],
  executeMultiple: ((s) => db.executeMultiple(s)) as Database["executeMultiple"],
  close: () => db.close(),
};

beforeAll(async () => {
  const lgb = await loadLightGBM();
  // with the 1..48 h set: GET /v1/forecast answers only from it (409 on stale inputs, below)
  a = trainArtifacts(lgb, series, LAST - 10 * DAY_MS, { ...DEFAULT_RECIPE, params: { ...DEFAULT_RECIPE.params, num_iterations: 20 } }, 7, SMALL_HOURLY_RECIPE);
  db = await openMigratedMemoryDb();
  const regClock = fixedClock("2024-03-01T00:00:00Z");
  v1 = await registerTrained({ db, objects, clock: regClock }, "seoul", a);
  regClock.advance(60_000);
  v2 = await registerTrained({ db, objects, clock: regClock }, "seoul", a);
  await new Registry({ db, objects, clock }).promote({ location: "seoul", version: v1, by: "test" });
  await storeObservations(db, series, "seoul", LAST - 20 * DAY_MS, LAST + HOUR_MS, clock.now());
});
afterAll(() => {
  a?.fitted.booster.free();
  a?.hourly?.free();
  db?.close();
});

type Body = { status: string; reasons: { code: string }[]; checked_at: string };
const get = async (app: ReturnType<typeof createApp>) => {
  const res = await app.request("/healthz");
  return { status: res.status, body: (await res.json()) as Body };
};
const settle = () => new Promise((r) => setTimeout(r, 20));

describe("GET /healthz", () => {
  it("answers from the last refresh: no database call per request between refreshes", async () => {
    const serving = createServing({ db: seen, objects, clock, logger: silentLogger }, DEFAULT_SERVING_CONFIG);
    const app = createApp({
      db: seen,
      objects,
      clock,
      logger: silentLogger,
      locations: DEFAULT_LOCATIONS,
      defaultLocation: "seoul",
      ...serving,
      jobs: {},
      healthRefreshMs: 5_000,
    });
    expect(await get(app)).toMatchObject({ status: 200, body: { status: "ok", reasons: [] } });
    calls = 0;
    for (let i = 0; i < 200; i++) expect((await get(app)).status).toBe(200);
    expect(calls).toBe(0);
    clock.advance(5_000); // the next request starts one refresh, in the background
    await get(app);
    await settle();
    expect(calls).toBeGreaterThan(0);
    expect(calls).toBeLessThan(10);
    clock.advance(-5_000);
  });

  it("degraded (200) when the forecast would answer 409 or an older model is served past the reload interval; unhealthy (503) when the database is gone", async () => {
    // the object store fails for v2 (down), so this process keeps serving v1 after v2 is promoted
    let v2Key = "";
    const flaky = { get: (key: string) => (v2Key && key.includes(v2Key) ? Promise.reject(new Error("object store unreachable")) : objects.get(key)) };
    const serving = createServing({ db: seen, objects: flaky, clock, logger: silentLogger }, { ...DEFAULT_SERVING_CONFIG, modelReloadSeconds: 60 });
    const app = createApp({
      db: seen,
      objects,
      clock,
      logger: silentLogger,
      locations: DEFAULT_LOCATIONS,
      defaultLocation: "seoul",
      ...serving,
      jobs: {},
      healthRefreshMs: 1_000,
    });
    const refresh = async (ms: number) => {
      clock.advance(ms);
      await get(app); // starts a background refresh
      await settle();
      // the refresh's model check may still be loading the 1..48 h set: wait for it, not for a guessed delay
      await serving.models.settled("seoul");
      await settle();
      return get(app);
    };
    const t0 = clock.now().getTime();
    try {
      expect((await get(app)).body.status).toBe("ok");
      const registry = new Registry({ db, objects, clock });
      v2Key = (await registry.getVersion("seoul", v2)).model.key.split("/").slice(0, -1).join("/");
      await registry.promote({ location: "seoul", version: v2, by: "test" });
      expect(await refresh(30_000)).toMatchObject({ status: 200, body: { status: "ok" } }); // not past the interval yet
      expect(await refresh(61_000)).toMatchObject({ status: 200, body: { status: "degraded", reasons: [{ code: "model_lag" }] } });
      v2Key = "";
      expect(await refresh(61_000)).toMatchObject({ status: 200, body: { status: "ok" } });
      // the inputs age past the forecast's limit (3 h): the forecast answers 409, health says so
      const stale = await refresh(3 * 3_600_000);
      expect(stale).toMatchObject({ status: 200, body: { status: "degraded", reasons: [{ code: "stale_inputs" }] } });
      expect((await app.request("/v1/forecast")).status).toBe(409);
      // the database goes away: unhealthy within one refresh, back to degraded once it returns
      gone = true;
      expect(await refresh(1_000)).toMatchObject({
        status: 503,
        body: { status: "unhealthy", reasons: expect.arrayContaining([expect.objectContaining({ code: "database_unavailable" })]) },
      });
      gone = false;
      expect(await refresh(1_000)).toMatchObject({ status: 200, body: { status: "degraded" } });
    } finally {
      gone = false;
      clock.advance(t0 - clock.now().getTime());
      await new Registry({ db, objects, clock }).promote({ location: "seoul", version: v1, by: "test" }).catch(() => undefined);
    }
  });
});
