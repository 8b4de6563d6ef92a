// predictRows (POST /v1/predict behind HTTP) on a real production model (trained by LightGBM-wasm,
// registered, promoted and loaded the way serving loads it): rows are matched to the model's features
// by name, null is a missing value, every prediction equals LightGBM-wasm's own for the same row, and
// rows that do not fit the model are refused with every problem named.
import type { Client } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_RECIPE } from "../model/features-recipes.ts";
import { loadLightGBM } from "../model/lightgbm-wasm/node.ts";
import { DAY_MS } from "../model/series.ts";
import { syntheticSeries } from "../model/series-fixtures.ts";
import { fixedClock } from "../ports/clock.ts";
import { memoryLogger } from "../ports/logger.ts";
import { Registry } from "../registry/registry.ts";
import { createMemoryObjectStore } from "../storage/memory-object-store.ts";
import { openMigratedMemoryDb } from "../tracking/testing/seed.ts";
import { ServingInputError } from "./errors.ts";
import type { LoadedModel } from "./load-model.ts";
import { ModelCache } from "./model-cache.ts";
import { MAX_BATCH_ROWS, predictRows, targetDescription } from "./predict.ts";
import { referenceRows, registerTrained, type TrainedArtifacts, trainArtifacts } from "./testing/fixtures.ts";

const START = Date.UTC(2024, 0, 1);
const series = { ...syntheticSeries({ days: 100, seed: 7, start: START }), locationId: "seoul" };
const CUTOFF = START + 95 * DAY_MS;

let a: TrainedArtifacts;
let db: Client;
let model: LoadedModel;
let rows: Record<string, number | null>[];
let reference: Float64Array;

beforeAll(async () => {
  a = trainArtifacts(await loadLightGBM(), series, CUTOFF, { ...DEFAULT_RECIPE, params: { ...DEFAULT_RECIPE.params, num_iterations: 40 } });
  db = await openMigratedMemoryDb();
  const objects = createMemoryObjectStore();
  const clock = fixedClock(new Date(CUTOFF));
  const version = await registerTrained({ db, objects, clock }, "seoul", a);
  await new Registry({ db, objects, clock }).promote({ location: "seoul", version, by: "test" });
  model = await new ModelCache({ db, objects, clock, logger: memoryLogger() }, { checkIntervalMs: 60_000 }).get("seoul");
  // Two days of real feature rows (some features are missing in them: null), and LightGBM-wasm's outputs.
  ({ rows, raw: reference } = referenceRows(a, series, CUTOFF - 2 * DAY_MS, CUTOFF));
});

afterAll(() => {
  a?.fitted.booster.free();
  db?.close();
});

/** The error predictRows throws, or fails the test. */
function refusal(f: () => unknown): ServingInputError {
  try {
    f();
  } catch (e) {
    if (e instanceof ServingInputError) return e;
    throw e;
  }
  throw new Error("expected a ServingInputError");
}

describe("predictRows", () => {
  it("predicts every row, in order, exactly as LightGBM-wasm does", () => {
    expect(rows.length).toBe(48);
    expect(rows.some((r) => Object.values(r).includes(null))).toBe(true);
    const { predictions, model: used } = predictRows(model, rows, false);
    expect(used).toBe(model);
    expect(Array.from(predictions)).toEqual(Array.from(reference));
  });

  it("matches features by name, not by the order of the keys", () => {
    const reversed = rows.map((r) => Object.fromEntries(Object.entries(r).reverse()));
    expect(Object.keys(reversed[0]!)).not.toEqual(Object.keys(rows[0]!));
    expect(Array.from(predictRows(model, reversed, false).predictions)).toEqual(Array.from(reference));
  });

  it("treats null as a missing value (NaN), as LightGBM does", () => {
    const wasm = (row: Record<string, number | null>) => {
      const data = Float64Array.from(model.featureNames, (n) => row[n] ?? Number.NaN);
      return a.fitted.booster.predict(data, 1, data.length, { numIteration: a.fitted.iterations })[0]!;
    };
    // A feature whose absence changes LightGBM-wasm's prediction for the first row.
    const row = model.featureNames.map((n) => ({ ...rows[0]!, [n]: null })).find((r) => wasm(r) !== reference[0])!;
    expect(row).toBeDefined();
    expect(predictRows(model, [row], true).predictions[0]).toBe(wasm(row));
  });

  it("refuses an empty batch and one over MAX_BATCH_ROWS", () => {
    expect(refusal(() => predictRows(model, [], false)).message).toBe("instances is empty: send at least one row");
    const tooMany = refusal(() => predictRows(model, new Array(MAX_BATCH_ROWS + 1).fill(rows[0]), false));
    expect(tooMany.message).toBe(`${MAX_BATCH_ROWS + 1} instances; at most ${MAX_BATCH_ROWS} per request`);
    expect(tooMany.details).toEqual({ max_instances: MAX_BATCH_ROWS });
    expect(predictRows(model, new Array(MAX_BATCH_ROWS).fill(rows[0]), false).predictions).toHaveLength(MAX_BATCH_ROWS);
  });

  it("names every problem of a single row: missing, unknown, and not a finite number", () => {
    const [first, second, third] = model.featureNames;
    const { [first!]: _dropped, ...row } = { ...rows[0]!, [second!]: Number.POSITIVE_INFINITY, [third!]: "12" as unknown as number, wind_gust: 3 };
    const e = refusal(() => predictRows(model, [row], true));
    expect(e.message).toBe(
      `the features do not match model ${model.version}: missing ${first}; unknown wind_gust; not a finite number or null: ${second}, ${third}`,
    );
    expect(e.details).toEqual({
      missing: [first],
      unknown: ["wind_gust"],
      non_numeric: [second, third],
      counts: { missing: 1, unknown: 1, non_numeric: 2 },
      expected: { features: model.featureNames, version: model.artifact.spec.version },
    });
  });

  it("counts the bad rows of a batch and describes the first 20 with their index", () => {
    const batch = rows.map((r, i) => (i % 2 === 1 ? { ...r, [model.featureNames[0]!]: Number.NaN } : r));
    const e = refusal(() => predictRows(model, batch, false));
    expect(e.message).toBe(`24 of 48 instances do not match model ${model.version}; first: #1: not a finite number or null: ${model.featureNames[0]}`);
    const details = e.details as { invalid_instances: number; instances: { index: number; non_numeric: string[] }[] };
    expect(details.invalid_instances).toBe(24);
    expect(details.instances.map((x) => x.index)).toEqual(Array.from({ length: 20 }, (_, k) => 2 * k + 1));
    expect(details.instances[0]).toEqual({
      index: 1,
      missing: [],
      unknown: [],
      non_numeric: [model.featureNames[0]],
      counts: { missing: 0, unknown: 0, non_numeric: 1 },
    });
  });

  it("says what the predictions are: the model's target transform, in °C", () => {
    expect(targetDescription(model)).toMatchObject({ name: DEFAULT_RECIPE.target, unit: "°C", is_temperature: DEFAULT_RECIPE.target === "level" });
  });
});
