// The model cache against real versions (trained by LightGBM-wasm, logged and registered like the
// training job does) in an in-memory libSQL + memory object store, with a fixed clock.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "@libsql/client";
import { DEFAULT_RECIPE } from "../model/features-recipes.ts";
import type { LightGBM } from "../model/lightgbm-wasm/lightgbm.ts";
import { loadLightGBM } from "../model/lightgbm-wasm/node.ts";
import { DAY_MS } from "../model/series.ts";
import { syntheticSeries } from "../model/series-fixtures.ts";
import { fixedClock } from "../ports/clock.ts";
import { memoryLogger } from "../ports/logger.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import { getProduction } from "../registry/aliases.ts";
import { Registry } from "../registry/registry.ts";
import { createMemoryObjectStore } from "../storage/memory-object-store.ts";
import { openMigratedMemoryDb } from "../tracking/testing/seed.ts";
import { NoModelError, RegistryUnavailableError } from "./errors.ts";
import { ModelCache } from "./model-cache.ts";
import { registerTrained, type TrainedArtifacts, trainArtifacts } from "./testing/fixtures.ts";

const START = Date.UTC(2024, 0, 1);
const series = { ...syntheticSeries({ days: 100, seed: 7, start: START }), locationId: "seoul" };
const CUTOFF = START + 95 * DAY_MS;
const INTERVAL = 30_000;

let lgb: LightGBM;
let a: TrainedArtifacts;
let b: TrainedArtifacts;

beforeAll(async () => {
  lgb = await loadLightGBM();
  a = trainArtifacts(lgb, series, CUTOFF, { ...DEFAULT_RECIPE, params: { ...DEFAULT_RECIPE.params, num_iterations: 40 } });
  b = trainArtifacts(lgb, series, CUTOFF, { ...DEFAULT_RECIPE, params: { ...DEFAULT_RECIPE.params, num_iterations: 70 } });
});

afterAll(() => {
  a?.fitted.booster.free();
  b?.fitted.booster.free();
});

interface Setup {
  db: Client;
  objects: ObjectStore;
  clock: ReturnType<typeof fixedClock>;
  cache: ModelCache;
  logger: ReturnType<typeof memoryLogger>;
  registry: Registry;
  /** Registry without artifact checks: promotes whatever is registered (to simulate damage after promotion). */
  blindRegistry: Registry;
  objectGets: { n: number; delayMs: number };
  /** Reads of the production pointer (model_aliases) by the cache. */
  pointerReads: { n: number };
  failDb: { on: boolean };
  /** While set, every database call waits for this promise (a stalled database). */
  stallDb: { gate: Promise<void> | null };
}

async function setup(options: { staleWhileChecking?: boolean } = {}): Promise<Setup> {
  const db = await openMigratedMemoryDb();
  const store = createMemoryObjectStore();
  const objectGets = { n: 0, delayMs: 0 };
  const objects: ObjectStore = {
    ...store,
    get: async (key) => {
      objectGets.n++;
      if (objectGets.delayMs) await new Promise((r) => setTimeout(r, objectGets.delayMs));
      return store.get(key);
    },
  };
  const failDb = { on: false };
  const stallDb: { gate: Promise<void> | null } = { gate: null };
  const pointerReads = { n: 0 };
  const readDb = {
    execute: (async (stmt: Parameters<Client["execute"]>[0]) => {
      const sql = typeof stmt === "string" ? stmt : (stmt as { sql: string }).sql;
      if (sql.includes("FROM model_aliases")) pointerReads.n++;
      if (stallDb.gate) await stallDb.gate;
      return failDb.on ? Promise.reject(new Error("connection refused")) : db.execute(stmt);
    }) as Client["execute"],
    batch: ((stmts: Parameters<Client["batch"]>[0], mode?: Parameters<Client["batch"]>[1]) =>
      failDb.on ? Promise.reject(new Error("connection refused")) : db.batch(stmts, mode)) as Client["batch"],
  };
  const clock = fixedClock("2024-04-10T00:00:00Z");
  const logger = memoryLogger();
  const cache = new ModelCache({ db: readDb, objects, clock, logger }, { checkIntervalMs: INTERVAL, ...options });
  return {
    db,
    objects,
    clock,
    cache,
    logger,
    registry: new Registry({ db, objects: store, clock }),
    blindRegistry: new Registry({ db, clock }),
    objectGets,
    pointerReads,
    failDb,
    stallDb,
  };
}

async function register(s: Setup, t: TrainedArtifacts, o: Parameters<typeof registerTrained>[3] = {}): Promise<string> {
  s.clock.advance(1000);
  return registerTrained({ db: s.db, objects: s.objects, clock: s.clock }, "seoul", t, o);
}

describe("ModelCache", () => {
  it("loads the production model and does not re-read the pointer within the interval", async () => {
    const s = await setup();
    const v1 = await register(s, a);
    await s.registry.promote({ location: "seoul", version: v1, by: "test" });
    const m = await s.cache.get("seoul");
    expect(m.version).toBe(v1);
    expect(m.model.info.numIterations).toBe(40);
    expect(m.featureNames).toEqual(DEFAULT_RECIPE.features);
    expect(m.registered.holdout.rmse).toBeCloseTo(a.metrics.holdout.model.rmse, 10);
    s.clock.advance(INTERVAL - 1);
    expect(await s.cache.get("seoul")).toBe(m);
    expect(s.pointerReads.n).toBe(1);
  });

  it("serves a newly promoted version once the interval has passed, and the old one until then", async () => {
    const s = await setup();
    const v1 = await register(s, a);
    const v2 = await register(s, b);
    await s.registry.promote({ location: "seoul", version: v1, by: "test" });
    expect((await s.cache.get("seoul")).version).toBe(v1);
    await s.registry.promote({ location: "seoul", version: v2, by: "test" });
    s.clock.advance(INTERVAL - 1000);
    expect((await s.cache.get("seoul")).version).toBe(v1);
    s.clock.advance(1000);
    const m = await s.cache.get("seoul");
    expect(m.version).toBe(v2);
    expect(m.model.info.numIterations).toBe(70);
    // and a rollback the same way
    await s.registry.rollback({ location: "seoul", by: "test" });
    s.clock.advance(INTERVAL);
    expect((await s.cache.get("seoul")).version).toBe(v1);
    expect(s.logger.records.filter((r) => r.message === "production model loaded").length).toBe(3);
  });

  it("refuses a model whose bytes do not match the registry's SHA-256 and keeps serving the previous one", async () => {
    const s = await setup();
    const v1 = await register(s, a);
    const v2 = await register(s, b);
    await s.registry.promote({ location: "seoul", version: v1, by: "test" });
    await s.cache.get("seoul");
    // v2's model.txt is damaged in the store after registration; a promotion without the artifact check lets it through.
    const key = (await s.registry.getVersion("seoul", v2)).model.key;
    await s.objects.put(key, b.modelText.replace(/leaf_value=[^\n]*/, "leaf_value=1 2 3"));
    await s.blindRegistry.promote({ location: "seoul", version: v2, by: "test" });
    s.clock.advance(INTERVAL);
    const m = await s.cache.get("seoul");
    expect(m.version).toBe(v1);
    const st = s.cache.status("seoul");
    expect(st.refused).toMatchObject({ version: v2, reason: "checksum" });
    expect(st.refused!.message).toMatch(/sha256 is [0-9a-f]{64}, expected [0-9a-f]{64}/);
    expect(s.logger.records.some((r) => r.level === "error" && r.message.startsWith("production model refused"))).toBe(true);
    // Not downloaded again on every check...
    const gets = s.objectGets.n;
    s.clock.advance(INTERVAL);
    expect((await s.cache.get("seoul")).version).toBe(v1);
    expect(s.objectGets.n).toBe(gets);
    // ...but on an explicit reload; once the file is repaired, the version is accepted.
    await s.objects.put(key, b.modelText);
    const after = await s.cache.reload("seoul");
    expect(after.version).toBe(v2);
    expect(after.refused).toBeNull();
  });

  it("refuses incompatible and corrupt artifacts (feature catalogue, format, model text) and a missing file", async () => {
    const s = await setup();
    const v1 = await register(s, a);
    await s.registry.promote({ location: "seoul", version: v1, by: "test" });
    await s.cache.get("seoul");
    const cases: [string, Parameters<typeof registerTrained>[3], string, RegExp][] = [
      [
        "old catalogue",
        { featuresText: JSON.stringify({ ...b.features, spec: { ...(b.features.spec as object), version: "nalssi-features-v0" } }) },
        "incompatible",
        /feature catalogue nalssi-features-v0/,
      ],
      [
        "other format",
        { featuresText: JSON.stringify({ ...b.features, format: "nalssi-temperature-model-v9" }) },
        "incompatible",
        /format "nalssi-temperature-model-v9"/,
      ],
      [
        "unknown feature",
        { featuresText: JSON.stringify({ ...b.features, recipe: { ...(b.features.recipe as object), features: ["hour_sin", "no_such_feature"] } }) },
        "incompatible",
        /no_such_feature/,
      ],
      ["features.json not JSON", { featuresText: "{not json" }, "corrupt", /not JSON/],
      ["model text truncated", { modelText: b.modelText.slice(0, Math.floor(b.modelText.length / 2)) }, "corrupt", /LightGBM model text refused/],
      [
        "model for other features",
        { modelText: a.modelText.replace(/^feature_names=.*$/m, `feature_names=${DEFAULT_RECIPE.features.map((f, i) => (i === 0 ? "x0" : f)).join(" ")}`) },
        "incompatible",
        /model\.txt reads features x0/,
      ],
    ];
    for (const [what, overrides, reason, message] of cases) {
      const v = await register(s, b, overrides);
      await s.registry.promote({ location: "seoul", version: v, by: "test" });
      s.clock.advance(INTERVAL);
      expect({ what, serving: (await s.cache.get("seoul")).version }).toEqual({ what, serving: v1 });
      const st = s.cache.status("seoul");
      expect({ what, reason: st.refused?.reason }).toEqual({ what, reason });
      expect(st.refused?.message).toMatch(message);
    }
    // A file missing from the store.
    const v = await register(s, b);
    await s.registry.promote({ location: "seoul", version: v, by: "test" });
    await s.objects.delete((await s.registry.getVersion("seoul", v)).featureSpec.key);
    s.clock.advance(INTERVAL);
    expect((await s.cache.get("seoul")).version).toBe(v1);
    expect(s.cache.status("seoul").refused).toMatchObject({ version: v, reason: "missing" });
  });

  it("shares one pointer read and one load among concurrent requests (single flight)", async () => {
    const s = await setup();
    const v1 = await register(s, a);
    const v2 = await register(s, b);
    await s.registry.promote({ location: "seoul", version: v1, by: "test" });
    s.objectGets.delayMs = 20;
    s.objectGets.n = 0;
    const first = await Promise.all(Array.from({ length: 25 }, () => s.cache.get("seoul")));
    expect(new Set(first).size).toBe(1);
    expect(s.pointerReads.n).toBe(1);
    expect(s.objectGets.n).toBe(2); // one load
    await s.registry.promote({ location: "seoul", version: v2, by: "test" });
    s.clock.advance(INTERVAL);
    const second = await Promise.all(Array.from({ length: 25 }, () => s.cache.get("seoul")));
    expect(second.every((m) => m.version === v2)).toBe(true);
    expect(s.pointerReads.n).toBe(2);
    expect(s.objectGets.n).toBe(4); // two loads
  });

  it("with staleWhileChecking, answers with the loaded model while the due pointer read waits on a stalled database", async () => {
    const s = await setup({ staleWhileChecking: true });
    const v1 = await register(s, a);
    const v2 = await register(s, b);
    await s.registry.promote({ location: "seoul", version: v1, by: "test" });
    expect((await s.cache.get("seoul")).version).toBe(v1);
    await s.registry.promote({ location: "seoul", version: v2, by: "test" });
    s.clock.advance(INTERVAL);
    let release!: () => void;
    s.stallDb.gate = new Promise((r) => (release = r));
    // Answered although the pointer read cannot finish (waiting for it would hang this test).
    expect((await s.cache.get("seoul")).version).toBe(v1);
    expect((await s.cache.get("seoul")).version).toBe(v1);
    expect(s.pointerReads.n).toBe(2); // the first load's read and the due one, still stalled
    const getsBefore = s.objectGets.n;
    s.stallDb.gate = null;
    release();
    await s.cache.settled("seoul");
    expect((await s.cache.get("seoul")).version).toBe(v2);
    expect(s.pointerReads.n).toBe(2);
    expect(s.objectGets.n).toBeGreaterThan(getsBefore); // v2 was loaded in the background
  });

  it("without staleWhileChecking, a due pointer read is waited for", async () => {
    const s = await setup();
    const v1 = await register(s, a);
    await s.registry.promote({ location: "seoul", version: v1, by: "test" });
    await s.cache.get("seoul");
    s.clock.advance(INTERVAL);
    let release!: () => void;
    s.stallDb.gate = new Promise((r) => (release = r));
    const answer = s.cache.get("seoul").then(() => "answered");
    const first = await Promise.race([answer, new Promise((r) => setTimeout(() => r("waiting"), 100))]);
    expect(first).toBe("waiting");
    s.stallDb.gate = null;
    release();
    expect(await answer).toBe("answered");
  });

  it("keeps serving when the database is unreachable; without a model it says why", async () => {
    const s = await setup();
    // Nothing promoted yet.
    await expect(s.cache.get("seoul")).rejects.toBeInstanceOf(NoModelError);
    await expect(s.cache.get("seoul")).rejects.toThrow(/has no production model/);
    const v1 = await register(s, a);
    await s.registry.promote({ location: "seoul", version: v1, by: "test" });
    s.clock.advance(INTERVAL);
    expect((await s.cache.get("seoul")).version).toBe(v1);
    s.failDb.on = true;
    s.clock.advance(INTERVAL);
    expect((await s.cache.get("seoul")).version).toBe(v1);
    expect(s.cache.status("seoul").lastFailure?.message).toMatch(/connection refused/);
    const fresh = new ModelCache(
      {
        db: { execute: () => Promise.reject(new Error("connection refused")), batch: () => Promise.reject(new Error("x")) },
        objects: s.objects,
        clock: s.clock,
        logger: s.logger,
      },
      { checkIntervalMs: INTERVAL },
    );
    await expect(fresh.get("seoul")).rejects.toBeInstanceOf(RegistryUnavailableError);
    expect((await getProduction(s.db, "seoul"))?.version).toBe(v1);
  });

  it("refuses a first model that is broken, with no earlier one to fall back on", async () => {
    const s = await setup();
    const v = await register(s, a, { modelText: "tree\nversion=v4\n" });
    await s.blindRegistry.promote({ location: "seoul", version: v, by: "test" });
    await expect(s.cache.get("seoul")).rejects.toThrow(new RegExp(`production model ${v} of seoul was refused \\(corrupt\\)`));
  });
});

describe("ModelCache bound", () => {
  it("keeps at most maxModels in memory, evicting the least recently used, and reloads an evicted one on demand", async () => {
    const s = await setup();
    const cache = new ModelCache({ db: s.db, objects: s.objects, clock: s.clock, logger: s.logger }, { checkIntervalMs: INTERVAL, maxModels: 2 });
    const versions: Record<string, string> = {};
    for (const loc of ["seoul", "busan", "daegu"]) {
      s.clock.advance(1000);
      versions[loc] = await registerTrained({ db: s.db, objects: s.objects, clock: s.clock }, loc, a);
      await s.registry.promote({ location: loc, version: versions[loc]!, by: "test" });
    }
    await cache.get("seoul");
    await cache.get("busan");
    await cache.get("seoul"); // seoul is now more recent than busan
    expect(cache.size).toEqual({ models: 2, maxModels: 2, evictions: 0 });
    expect((await cache.get("daegu")).version).toBe(versions.daegu);
    expect(cache.size).toEqual({ models: 2, maxModels: 2, evictions: 1 });
    expect(cache.peek("busan")).toBeNull();
    expect(cache.peek("seoul")?.version).toBe(versions.seoul);
    expect(s.logger.records.some((r) => r.message === "production model evicted from memory (cache bound)" && r.fields?.location === "busan")).toBe(true);
    // busan comes back (loaded again) and pushes out seoul, now the least recently used
    const getsBefore = s.objectGets.n;
    expect((await cache.get("busan")).version).toBe(versions.busan);
    expect(s.objectGets.n).toBeGreaterThan(getsBefore); // loaded again from the object store
    expect(cache.peek("seoul")).toBeNull();
    expect(cache.size).toEqual({ models: 2, maxModels: 2, evictions: 2 });
    expect(() => new ModelCache({ db: s.db, objects: s.objects, clock: s.clock, logger: s.logger }, { checkIntervalMs: 1, maxModels: 0 })).toThrow(
      /maxModels must be a whole number >= 1/,
    );
  });
});
