// The compiled model at serving: a version registered with an object store gets model.bin beside
// model.txt (model.txt and every hourly lead-group model), its SHA-256 in model_versions; serving
// loads it without parsing text and predicts bitwise what the text-parsed models predict; a damaged,
// missing or foreign compiled file is never used: model.txt is parsed instead, and the cache says so.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_RECIPE } from "../model/features-recipes.ts";
import { fitHourly } from "../model/hourly-model.ts";
import { HOURLY_RECIPE } from "../model/hourly-recipes.ts";
import { buildLeadRows } from "../model/multilead-dataset.ts";
import type { LightGBM } from "../model/lightgbm-wasm/lightgbm.ts";
import { loadLightGBM } from "../model/lightgbm-wasm/node.ts";
import type { LeadRecipe } from "../model/artifact.ts";
import { contextFor, forecastRows } from "../model/hourly-model.ts";
import { DAY_MS } from "../model/series.ts";
import { syntheticSeries } from "../model/series-fixtures.ts";
import { HourlyGrid } from "../model/series-grid.ts";
import { bitwiseDifferences } from "../model/predictor/testing/compare.ts";
import { fixedClock } from "../ports/clock.ts";
import { memoryLogger } from "../ports/logger.ts";
import { getProduction } from "../registry/aliases.ts";
import { Registry } from "../registry/registry.ts";
import { createMemoryObjectStore } from "../storage/memory-object-store.ts";
import { openMigratedMemoryDb } from "../tracking/testing/seed.ts";
import { loadHourlyModel } from "./hourly-forecast.ts";
import { loadProductionModel } from "./load-model.ts";
import { ModelCache } from "./model-cache.ts";
import { registerTrained, type TrainedArtifacts, trainArtifacts } from "./testing/fixtures.ts";

const START = Date.UTC(2024, 0, 1);
const series = { ...syntheticSeries({ days: 100, seed: 11, start: START }), locationId: "seoul" };
const CUTOFF = START + 95 * DAY_MS;
const SMALL: LeadRecipe = {
  ...HOURLY_RECIPE,
  name: "test",
  groups: [
    [1, 6],
    [7, 24],
    [25, 48],
  ],
  params: { ...HOURLY_RECIPE.params, num_iterations: 12 },
};

let lgb: LightGBM;
let a: TrainedArtifacts;
let featuresText: string;

beforeAll(async () => {
  lgb = await loadLightGBM();
  a = trainArtifacts(lgb, series, CUTOFF, { ...DEFAULT_RECIPE, params: { ...DEFAULT_RECIPE.params, num_iterations: 60 } });
  const hourly = fitHourly(lgb, series, CUTOFF - 3 * DAY_MS, SMALL).artifact;
  featuresText = JSON.stringify({ ...a.features, hourly });
});
afterAll(() => a?.fitted.booster.free());

async function setup(compile: boolean) {
  const db = await openMigratedMemoryDb();
  const objects = createMemoryObjectStore();
  const clock = fixedClock("2024-04-10T00:00:00Z");
  const version = await registerTrained({ db, objects, clock }, "seoul", a, { featuresText, compile });
  await new Registry({ db, objects, clock }).promote({ location: "seoul", version, by: "test" });
  const pointer = (await getProduction(db, "seoul"))!;
  return { db, objects, clock, version, pointer };
}

/** Every row of the holdout-ish window, for the 24 h model. */
function rows24(): { data: Float64Array; n: number } {
  const n = 3000;
  const nf = DEFAULT_RECIPE.features.length;
  const data = new Float64Array(n * nf);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.37) * 20 + (i % 17 === 0 ? Number.NaN : 0);
  return { data, n };
}

describe("compiled model at serving", () => {
  it("registration writes model.bin with its SHA-256; serving loads it and predicts bitwise what model.txt predicts, for the 24 h model and every lead group", async () => {
    const s = await setup(true);
    const v = await new Registry({ db: s.db }).getVersion("seoul", s.version);
    expect(v.compiled?.key).toBe(v.model.key.replace(/model\.txt$/, "model.bin"));
    expect(s.pointer.compiledSha256).toBe(v.compiled?.sha256);
    const fromBinary = await loadProductionModel({ db: s.db, objects: s.objects, clock: s.clock }, s.pointer);
    expect(fromBinary.compiled).toEqual({ used: true, problem: null });
    expect(fromBinary.hourlyModels).toHaveLength(SMALL.groups.length);
    const fromText = await loadProductionModel({ db: s.db, objects: s.objects, clock: s.clock }, { ...s.pointer, compiledKey: null, compiledSha256: null });
    expect(fromText.compiled).toEqual({ used: false, problem: null });
    expect(fromText.hourlyModels).toBeNull();
    const { data, n } = rows24();
    expect(bitwiseDifferences(fromText.model.predictBatch(data, n), fromBinary.model.predictBatch(data, n))).toEqual([]);

    // the hourly set: text-parsed groups against compiled groups, on every lead of 3 days of issue hours
    const hourlyJson = (JSON.parse(featuresText) as { hourly: unknown }).hourly;
    const parsed = loadHourlyModel(hourlyJson);
    const compiled = loadHourlyModel(hourlyJson, fromBinary.hourlyModels);
    const rows = buildLeadRows(new HourlyGrid(series), {
      issueFeatures: SMALL.issueFeatures,
      leadFeatures: SMALL.leadFeatures,
      context: contextFor(parsed.artifact, series),
      leads: Array.from({ length: 48 }, (_, k) => k + 1),
      from: CUTOFF - 3 * DAY_MS,
      to: CUTOFF,
    });
    expect(rows.numRows).toBeGreaterThan(48 * 60);
    const fa = forecastRows(parsed, rows);
    const fb = forecastRows(compiled, rows);
    expect(bitwiseDifferences(fa.point, fb.point)).toEqual([]);
    expect(bitwiseDifferences(fa.p975, fb.p975)).toEqual([]);
  });

  it("a version registered without an object store has no compiled model and loads from model.txt", async () => {
    const s = await setup(false);
    expect(s.pointer.compiledKey).toBeNull();
    const m = await loadProductionModel({ db: s.db, objects: s.objects, clock: s.clock }, s.pointer);
    expect(m.compiled).toEqual({ used: false, problem: null });
  });

  it("a damaged, missing or foreign compiled file is not used: model.txt is parsed instead and the cache logs why", async () => {
    const s = await setup(true);
    const key = s.pointer.compiledKey!;
    const good = (await s.objects.get(key))!.body;
    const load = () => loadProductionModel({ db: s.db, objects: s.objects, clock: s.clock }, s.pointer);

    const damaged = good.slice();
    damaged[damaged.length - 3]! ^= 0xff;
    await s.objects.put(key, damaged);
    let m = await load();
    expect(m.compiled.used).toBe(false);
    expect(m.compiled.problem).toMatch(/compiled model .*sha256 is [0-9a-f]{64}, expected [0-9a-f]{64}/);
    const { data, n } = rows24();
    await s.objects.put(key, good);
    expect(bitwiseDifferences((await load()).model.predictBatch(data, n), m.model.predictBatch(data, n))).toEqual([]);

    await s.objects.delete(key);
    m = await load();
    expect(m.compiled).toEqual({ used: false, problem: expect.stringMatching(/not in the object store/) });

    // a pointer whose model.txt is not the one the container was compiled from: the container is not
    // used (its source hash differs), so model.txt is read, and its own checksum refuses the version
    await s.objects.put(key, good);
    const otherSha = s.pointer.modelSha256.replace(/^./, (c) => (c === "0" ? "1" : "0"));
    const refused = await loadProductionModel({ db: s.db, objects: s.objects, clock: s.clock }, { ...s.pointer, modelSha256: otherSha }).then(
      () => null,
      (e: Error) => e,
    );
    expect(refused?.message).toMatch(/model\.txt .*sha256 is/);

    // through the cache: it keeps serving, from the text, and logs a warning
    await s.objects.put(key, damaged);
    const logger = memoryLogger();
    const cache = new ModelCache({ db: s.db, objects: s.objects, clock: s.clock, logger }, { checkIntervalMs: 30_000 });
    expect((await cache.get("seoul")).version).toBe(s.version);
    expect(logger.records.some((r) => r.level === "warn" && r.message.startsWith("compiled model unusable"))).toBe(true);
  });
});
