// start_iteration / num_iteration as LightGBM's predict takes them (clamped as GBDT::InitPredict
// does), for single-output, multiclass and rf models, and models saved from an iteration range.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LightGBM } from "../lightgbm-wasm/lightgbm.ts";
import { loadLightGBM } from "../lightgbm-wasm/node.ts";
import type { PredictOptions } from "./model.ts";
import { parseModel } from "./parse-model.ts";
import { differencesFromBooster, trainAndParse, type Trained } from "./testing/against-booster.ts";
import { mixedServing, mixedTraining } from "./testing/synthetic.ts";

const train = mixedTraining(3000, 41);
const serve = mixedServing(1000, 42);
const ITERATIONS = 25;

const RANGES: PredictOptions[] = [];
for (const startIteration of [0, 1, 7, 24, 25, 40, -3]) {
  for (const numIteration of [0, -1, 1, 5, 18, 25, 100]) {
    RANGES.push({ startIteration, numIteration }, { startIteration, numIteration, rawScore: true });
  }
}

describe("iteration ranges: predictor equals LightGBM-wasm bit for bit", () => {
  let lgb: LightGBM;
  const trained: Trained[] = [];
  beforeAll(async () => {
    lgb = await loadLightGBM();
  });
  afterAll(() => {
    for (const t of trained) t.free();
  });
  const fit = (label: ArrayLike<number>, params: Record<string, string | number | boolean>) => {
    const t = trainAndParse(lgb, train, label, { num_leaves: 15, min_data_in_leaf: 10, num_iterations: ITERATIONS, ...params });
    trained.push(t);
    return t;
  };
  const classes = train.label.map((v) => (v < 0 ? 0 : v < 5 ? 1 : 2));

  it(`regression: ${RANGES.length} start/num combinations, including out-of-range ones`, () => {
    const t = fit(train.label, { objective: "regression" });
    expect(differencesFromBooster(t, serve, RANGES)).toEqual([]);
  });

  it("multiclass (3 trees per iteration)", () => {
    const t = fit(classes, { objective: "multiclass", num_class: 3 });
    expect(t.model.info.numIterations).toBe(ITERATIONS);
    expect(t.model.info.numTrees).toBe(3 * ITERATIONS);
    expect(differencesFromBooster(t, serve, RANGES)).toEqual([]);
  });

  it("rf: the average is over the iterations used (NaN when none, as LightGBM divides by zero)", () => {
    const t = fit(train.label, { objective: "regression", boosting: "rf", bagging_fraction: 0.6, bagging_freq: 1 });
    expect(differencesFromBooster(t, serve, RANGES)).toEqual([]);
    expect(t.model.predict(serve.data.subarray(0, serve.cols), { startIteration: ITERATIONS })).toBeNaN();
  });

  it("a model saved from an iteration range predicts like the full model restricted to it", () => {
    const t = fit(classes, { objective: "multiclass", num_class: 3 });
    const text = t.booster.saveModel({ startIteration: 4, numIteration: 9 });
    const part = parseModel(text);
    expect(part.info.numIterations).toBe(9);
    const expected = t.booster.predict(serve.data, serve.rows, serve.cols, { startIteration: 4, numIteration: 9 });
    expect(Array.from(part.predictBatch(serve.data, serve.rows))).toEqual(Array.from(expected));
    expect(Array.from(t.model.predictBatch(serve.data, serve.rows, { startIteration: 4, numIteration: 9 }))).toEqual(Array.from(expected));
  });
});
