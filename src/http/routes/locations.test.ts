// GET /v1/locations in-process: configured locations with their station, production model and
// observation freshness from ONE database round trip; ?location= resolves ids (unknown: 400 with
// close matches); ?latitude&longitude gives each point's grid point and nearest location with data.
import type { Client } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { locationsFromText } from "../../locations/configured.ts";
import { DEFAULT_RECIPE } from "../../model/features-recipes.ts";
import { loadLightGBM } from "../../model/lightgbm-wasm/node.ts";
import { DAY_MS, HOUR_MS } from "../../model/series.ts";
import { syntheticSeries } from "../../model/series-fixtures.ts";
import { fixedClock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import { memoryLogger } from "../../ports/logger.ts";
import { Registry } from "../../registry/registry.ts";
import { createServing, DEFAULT_SERVING_CONFIG } from "../../serving/index.ts";
import { registerTrained, storeObservations, trainArtifacts, type TrainedArtifacts } from "../../serving/testing/fixtures.ts";
import { createMemoryObjectStore } from "../../storage/memory-object-store.ts";
import { openMigratedMemoryDb } from "../../tracking/testing/seed.ts";
import { createApp } from "../app.ts";

const START = Date.UTC(2024, 0, 1);
const series = { ...syntheticSeries({ days: 60, seed: 3, start: START }), locationId: "seoul" };
const LAST = series.observations.at(-1)!.time;
const clock = fixedClock(new Date(LAST + 30 * 60_000));
const locations = locationsFromText("seoul,busan,jeju-gosan");
let db: Client;
let trained: TrainedArtifacts;
let version: string;
let calls: string[] = [];

function counting(inner: Client): Database {
  return {
    execute: ((s: Parameters<Client["execute"]>[0]) => (calls.push("execute"), inner.execute(s))) as Client["execute"],
    batch: ((s: Parameters<Client["batch"]>[0], m?: Parameters<Client["batch"]>[1]) => (calls.push("batch"), inner.batch(s, m))) as Client["batch"],
    transaction: inner.transaction.bind(inner),
    executeMultiple: inner.executeMultiple.bind(inner),
    close: inner.close.bind(inner),
  };
}

const objects = createMemoryObjectStore();

function appOn(database: Database) {
  const serving = createServing({ db: database, objects, clock, logger: memoryLogger() }, DEFAULT_SERVING_CONFIG);
  return createApp({ db: database, objects, clock, logger: memoryLogger(), locations, defaultLocation: "seoul", ...serving, jobs: {} });
}

beforeAll(async () => {
  const lgb = await loadLightGBM();
  trained = trainArtifacts(lgb, series, LAST - 10 * DAY_MS, { ...DEFAULT_RECIPE, params: { ...DEFAULT_RECIPE.params, num_iterations: 5 } });
  db = await openMigratedMemoryDb();
  version = await registerTrained({ db, objects, clock }, "seoul", trained);
  await new Registry({ db, objects, clock }).promote({ location: "seoul", version, by: "test" });
  await storeObservations(db, series, "seoul", LAST - 3 * DAY_MS, LAST + HOUR_MS, clock.now());
  await storeObservations(db, series, "busan", LAST - 3 * DAY_MS, LAST - 5 * HOUR_MS, clock.now());
});

afterAll(() => {
  trained?.fitted.booster.free();
  db?.close();
});

type Body = {
  default_location: string;
  count: number;
  locations: {
    id: string;
    station: unknown;
    model: { production_version: string | null; loaded_version: string | null };
    observations: { newest_at: string | null; age_seconds: number | null };
  }[];
  points?: { nearest: { id: string; distance_km: number }; nx: number; ny: number }[];
};
type ErrorJson = { error: { code: string; message: string; details: Record<string, unknown> } };

describe("GET /v1/locations", () => {
  it("lists every configured location with its station, model status and freshness, in one round trip", async () => {
    const app = appOn(counting(db));
    calls = [];
    const res = await app.request("/v1/locations");
    expect(res.status).toBe(200);
    expect(calls).toEqual(["batch"]);
    const body = (await res.json()) as Body;
    expect(body).toMatchObject({ default_location: "seoul", count: 3 });
    expect(body.locations.map((l) => l.id)).toEqual(["seoul", "busan", "jeju-gosan"]);
    const [seoul, busan, gosan] = body.locations;
    expect(seoul).toMatchObject({
      station: { id: "seoul", stn_id: 108, distance_km: 1.2 },
      model: { production_version: version, loaded_version: null },
      observations: { newest_at: new Date(LAST).toISOString().replace(".000", ""), age_seconds: 1800 },
    });
    expect(busan).toMatchObject({
      station: { id: "busan", stn_id: 159, distance_km: 0 },
      model: { production_version: null },
      observations: { age_seconds: 1800 + 6 * 3600 },
    });
    expect(gosan).toMatchObject({ model: { production_version: null }, observations: { newest_at: null, age_seconds: null } });
    // once the server has loaded the model (the health check loads it), it says so
    await app.request("/healthz");
    const again = (await (await app.request("/v1/locations?location=seoul")).json()) as Body;
    expect(again.locations[0]!.model.loaded_version).toBe(version);
  });

  it("?location= picks and orders; an unknown id is a 400 with close matches", async () => {
    const app = appOn(db);
    const body = (await (await app.request("/v1/locations?location=busan,seoul")).json()) as Body;
    expect(body.locations.map((l) => l.id)).toEqual(["busan", "seoul"]);
    const res = await app.request("/v1/locations?location=seoul,busn,ulsan");
    expect(res.status).toBe(400);
    const e = (await res.json()) as ErrorJson;
    expect(e.error.code).toBe("unknown_location");
    expect(e.error.message).toMatch(/"busn" \(did you mean busan\?\)/);
    expect(e.error.details).toMatchObject({ unknown: ["busn", "ulsan"], suggestions: { busn: ["busan"] }, stations_not_configured: ["ulsan"] });
  });

  it("?latitude&longitude: the grid point and the nearest location WITH observations, and how far", async () => {
    const app = appOn(db);
    const res = await app.request("/v1/locations?location=seoul&latitude=35.1587,33.29&longitude=129.1604,126.16");
    expect(res.status).toBe(200);
    const body = (await res.json()) as Body;
    expect(body.points![0]).toEqual({ latitude: 35.1587, longitude: 129.1604, nx: 99, ny: 75, nearest: { id: "busan", distance_km: 13.1 } });
    // Gosan has no observations: the nearest location with data answers
    expect(body.points![1]!.nearest.id).toBe("busan");
    expect(body.points![1]!.nearest.distance_km).toBeGreaterThan(250);
  });

  it.each([
    { query: "latitude=35.1", status: 400, code: "invalid_request" },
    { query: "latitude=35.1,36&longitude=129", status: 400, code: "invalid_request" },
    { query: "latitude=51.5&longitude=-0.12", status: 400, code: "outside_grid" },
  ])("?$query -> $status $code", async ({ query, status, code }: { query: string; status: number; code: string }) => {
    const res = await appOn(db).request(`/v1/locations?${query}`);
    expect(res.status).toBe(status);
    expect(((await res.json()) as ErrorJson).error.code).toBe(code);
  });

  it("409 when no location has observations to answer a point", async () => {
    const empty = await openMigratedMemoryDb();
    const res = await appOn(empty).request("/v1/locations?latitude=35.1&longitude=129");
    expect(res.status).toBe(409);
    expect(((await res.json()) as ErrorJson).error.code).toBe("no_station_data");
    empty.close();
  });
});
