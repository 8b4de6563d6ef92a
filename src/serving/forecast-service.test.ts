// ForecastService against a real model version (trained by LightGBM-wasm, registered and promoted like
// the training job does) and observations stored like the ingest stores them, in an in-memory libSQL,
// with a fixed clock. The database the service reads through counts its queries, so the tests can say
// when a forecast was computed and when it was reused: the cache per (location, version, hour), its
// expiry and eviction, one shared computation for concurrent requests, which failures are kept, and
// the staleness rule judged on every request.
import type { Client } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_RECIPE } from "../model/features-recipes.ts";
import { loadLightGBM } from "../model/lightgbm-wasm/node.ts";
import { DAY_MS, HOUR_MS } from "../model/series.ts";
import { syntheticSeries } from "../model/series-fixtures.ts";
import { fixedClock } from "../ports/clock.ts";
import type { Database } from "../ports/database.ts";
import { memoryLogger } from "../ports/logger.ts";
import { Registry } from "../registry/registry.ts";
import { createMemoryObjectStore } from "../storage/memory-object-store.ts";
import { openMigratedMemoryDb } from "../tracking/testing/seed.ts";
import { InputsUnavailableError, ServingInputError } from "./errors.ts";
import { ForecastService, type ForecastServiceOptions } from "./forecast-service.ts";
import { ModelCache } from "./model-cache.ts";
import { hourlyForecast, loadHourlyModel } from "./hourly-forecast.ts";
import { referenceForecast, registerTrained, SMALL_HOURLY_RECIPE, storeObservations, type TrainedArtifacts, trainArtifacts } from "./testing/fixtures.ts";

const START = Date.UTC(2024, 0, 1);
const series = { ...syntheticSeries({ days: 100, seed: 7, start: START }), locationId: "seoul" };
const LAST = series.observations.at(-1)!.time;
const CUTOFF = LAST - 10 * DAY_MS;
const OPTIONS: ForecastServiceOptions = { windowDays: 35, maxInputAgeMs: 3 * HOUR_MS, cacheMs: 60_000 };

let a: TrainedArtifacts;
let db: Client;
let models: ModelCache;
const clock = fixedClock(new Date(LAST + 10 * 60_000));

beforeAll(async () => {
  a = trainArtifacts(
    await loadLightGBM(),
    series,
    CUTOFF,
    { ...DEFAULT_RECIPE, params: { ...DEFAULT_RECIPE.params, num_iterations: 40 } },
    7,
    SMALL_HOURLY_RECIPE,
  );
  db = await openMigratedMemoryDb();
  const objects = createMemoryObjectStore();
  const setupClock = fixedClock(new Date(CUTOFF));
  const version = await registerTrained({ db, objects, clock: setupClock }, "seoul", a);
  await new Registry({ db, objects, clock: setupClock }).promote({ location: "seoul", version, by: "test" });
  await storeObservations(db, series, "seoul", LAST - 60 * DAY_MS, LAST + HOUR_MS, setupClock.now());
  // A second location with a model but no observations at all.
  const busan = await registerTrained({ db, objects, clock: setupClock }, "busan", a);
  await new Registry({ db, objects, clock: setupClock }).promote({ location: "busan", version: busan, by: "test" });
  models = new ModelCache({ db, objects, clock, logger: memoryLogger() }, { checkIntervalMs: 24 * HOUR_MS });
});

afterAll(() => {
  a?.fitted.booster.free();
  a?.hourly?.free();
  db?.close();
});

/** A service over a database that counts the queries it is sent (and can be made to fail). */
function service(options: Partial<ForecastServiceOptions> = {}) {
  const reads = { n: 0, fail: false };
  const counting: Pick<Database, "execute"> = {
    execute: ((stmt: Parameters<Client["execute"]>[0]) => {
      reads.n++;
      return reads.fail ? Promise.reject(new Error("connection refused")) : db.execute(stmt);
    }) as Client["execute"],
  };
  return { forecasts: new ForecastService({ db: counting, models, clock }, { ...OPTIONS, ...options }), reads };
}

const hoursAgo = (h: number) => new Date(LAST - h * HOUR_MS);

describe("ForecastService", () => {
  it("answers with the forecast issued at the latest observed hour, equal to the wasm model's", async () => {
    const { forecasts } = service();
    const answer = await forecasts.forecast("seoul");
    expect(answer.forecast.issuedAt).toBe(LAST);
    expect(answer.inputAgeMs).toBe(10 * 60_000);
    expect(answer.cached).toBe(false);
    expect(answer.forecast.temperatureC).toBeCloseTo(referenceForecast(a, series, LAST).temperature, 9);
  });

  it("reuses a computed forecast for the same hour until cacheMs has passed", async () => {
    const { forecasts, reads } = service();
    const first = await forecasts.forecast("seoul", hoursAgo(5));
    const computed = reads.n;
    expect(computed).toBeGreaterThan(0);
    clock.advance(59_999);
    const again = await forecasts.forecast("seoul", new Date(LAST - 5 * HOUR_MS + 30 * 60_000)); // same hour, later minute
    expect(again.cached).toBe(true);
    expect(again.forecast).toBe(first.forecast);
    expect(reads.n).toBe(computed);
    clock.advance(1);
    const expired = await forecasts.forecast("seoul", hoursAgo(5));
    expect(expired.cached).toBe(false);
    expect(expired.forecast).toEqual(first.forecast);
    expect(reads.n).toBe(2 * computed);
    clock.set(new Date(LAST + 10 * 60_000));
  });

  it("keys the cache by hour: another hour is computed on its own", async () => {
    const { forecasts, reads } = service();
    const h5 = await forecasts.forecast("seoul", hoursAgo(5));
    const computed = reads.n;
    const h6 = await forecasts.forecast("seoul", hoursAgo(6));
    expect(h6.cached).toBe(false);
    expect(h6.forecast.issuedAt).toBe(h5.forecast.issuedAt - HOUR_MS);
    expect(reads.n).toBe(2 * computed);
  });

  it("never caches with cacheMs 0", async () => {
    const { forecasts, reads } = service({ cacheMs: 0 });
    await forecasts.forecast("seoul", hoursAgo(5));
    const computed = reads.n;
    expect((await forecasts.forecast("seoul", hoursAgo(5))).cached).toBe(false);
    expect(reads.n).toBe(2 * computed);
  });

  it("shares one computation among concurrent requests for the same key", async () => {
    const single = service();
    await single.forecasts.forecast("seoul", hoursAgo(7));
    const { forecasts, reads } = service();
    const answers = await Promise.all(Array.from({ length: 8 }, () => forecasts.forecast("seoul", hoursAgo(7))));
    expect(reads.n).toBe(single.reads.n);
    expect(answers.filter((x) => !x.cached)).toHaveLength(1);
    expect(new Set(answers.map((x) => x.forecast)).size).toBe(1);
  });

  it("the 1..48 h forecast: equal to hourlyForecast's, cached per hour apart from the 24 h one, shared among concurrent requests", async () => {
    const { forecasts, reads } = service();
    const answers = await Promise.all(Array.from({ length: 6 }, () => forecasts.hourly("seoul", hoursAgo(3))));
    const computed = reads.n;
    expect(answers.filter((x) => !x.cached)).toHaveLength(1);
    expect(new Set(answers.map((x) => x.forecast)).size).toBe(1);
    const ref = hourlyForecast(loadHourlyModel(a.hourly!.artifact), series, { at: LAST - 3 * HOUR_MS });
    expect(answers[0]!.forecast.leads).toEqual(ref.leads);
    expect(answers[0]!.forecast.issuedAt).toBe(LAST - 3 * HOUR_MS);
    expect((await forecasts.hourly("seoul", hoursAgo(3))).cached).toBe(true);
    expect(reads.n).toBe(computed);
    // The 24 h forecast of the same hour is its own entry.
    expect((await forecasts.forecast("seoul", hoursAgo(3))).cached).toBe(false);
    await expect(forecasts.hourly("busan")).rejects.toBeInstanceOf(InputsUnavailableError);
  });

  it("keeps at most maxCacheEntries forecasts, dropping the oldest first", async () => {
    const { forecasts, reads } = service({ maxCacheEntries: 2 });
    for (const h of [1, 2, 3]) await forecasts.forecast("seoul", hoursAgo(h));
    const perForecast = reads.n / 3;
    expect((await forecasts.forecast("seoul", hoursAgo(3))).cached).toBe(true);
    expect((await forecasts.forecast("seoul", hoursAgo(2))).cached).toBe(true);
    expect(reads.n).toBe(3 * perForecast);
    // hour 1 was the oldest entry: dropped, so computed again (which drops hour 2, now the oldest).
    expect((await forecasts.forecast("seoul", hoursAgo(1))).cached).toBe(false);
    expect((await forecasts.forecast("seoul", hoursAgo(3))).cached).toBe(true);
    expect((await forecasts.forecast("seoul", hoursAgo(2))).cached).toBe(false);
    expect(reads.n).toBe(5 * perForecast);
  });

  it("does not keep a failed computation, but keeps 'no inputs' as an answer", async () => {
    const { forecasts, reads } = service();
    reads.fail = true;
    await expect(forecasts.forecast("seoul", hoursAgo(8))).rejects.toThrow("connection refused");
    reads.fail = false;
    const retried = await forecasts.forecast("seoul", hoursAgo(8));
    expect(retried.cached).toBe(false);
    expect(retried.forecast.issuedAt).toBe(LAST - 8 * HOUR_MS);

    const missing = await forecasts.forecast("busan").catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(InputsUnavailableError);
    expect((missing as InputsUnavailableError).kind).toBe("missing");
    const n = reads.n;
    await expect(forecasts.forecast("busan")).rejects.toBe(missing);
    expect(reads.n).toBe(n);
  });

  it("judges the age of the inputs on every request, cached or not", async () => {
    const { forecasts, reads } = service({ maxInputAgeMs: 30 * 60_000 });
    const at = LAST - 4 * HOUR_MS; // observations exist up to LAST, so this hour's own observation is the input
    expect((await forecasts.forecast("seoul", new Date(at + 20 * 60_000))).inputAgeMs).toBe(20 * 60_000);
    const n = reads.n;
    const stale = await forecasts.forecast("seoul", new Date(at + 40 * 60_000)).catch((e: unknown) => e);
    expect(reads.n).toBe(n); // the same hour: the cached forecast, judged again
    expect(stale).toBeInstanceOf(InputsUnavailableError);
    expect(stale).toMatchObject({ kind: "stale", details: { age_seconds: 40 * 60, max_age_seconds: 30 * 60 } });
  });

  it("refuses a time in the future beyond the tolerance, and an invalid time", async () => {
    const { forecasts, reads } = service();
    const now = clock.now().getTime();
    await expect(forecasts.forecast("seoul", new Date(now + 60_001))).rejects.toThrow(ServingInputError);
    await expect(forecasts.forecast("seoul", new Date(Number.NaN))).rejects.toThrow("at is not a valid time");
    expect(reads.n).toBe(0);
    expect((await forecasts.forecast("seoul", new Date(now + 60_000))).forecast.issuedAt).toBe(LAST);
  });

  it("refuses options that are not finite numbers >= 0, and a window under 2 days", () => {
    expect(() => new ForecastService({ db, models, clock }, { ...OPTIONS, cacheMs: -1 })).toThrow(
      "forecast option cacheMs must be a finite number >= 0, got -1",
    );
    expect(() => new ForecastService({ db, models, clock }, { ...OPTIONS, windowDays: 1 })).toThrow("windowDays must be at least 2, got 1");
  });
});
