// The typed API: datasets, training with validation and early stopping, model text round trips,
// prediction, typed errors, and that train/free cycles do not grow wasm memory. Runs in Node and Deno.
import { beforeAll, describe, expect, it } from "vitest";
import { LightGBMError, LightGBMUsageError } from "./errors.ts";
import type { LightGBM } from "./lightgbm.ts";
import { loadLightGBM } from "./node.ts";

/** A deterministic synthetic regression problem: y depends on a, b and an interaction. */
function problem(rows: number, seed = 1) {
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const cols = 4;
  const data = new Float64Array(rows * cols);
  const label = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) data[i * cols + j] = rand() * 10 - 5;
    const a = data[i * cols]!,
      b = data[i * cols + 1]!;
    label[i] = 2 * a + Math.sin(b) * 3 + (a > 0 ? b : 0) + (rand() - 0.5) * 0.1;
  }
  return { data, label, rows, cols, names: ["a", "b", "c", "d"] };
}

const quiet = { verbosity: -1, deterministic: true, force_row_wise: true, num_threads: 1, seed: 1 };

describe("lightgbm-wasm API", () => {
  let lgb: LightGBM;
  beforeAll(async () => {
    lgb = await loadLightGBM();
  });

  it("builds a dataset and reports its shape", () => {
    const p = problem(500);
    const ds = lgb.createDataset({ data: p.data, numRows: p.rows, numCols: p.cols, label: p.label, featureNames: p.names, params: quiet });
    expect(ds.numData()).toBe(500);
    expect(ds.numFeature()).toBe(4);
    ds.free();
    expect(ds.freed).toBe(true);
    expect(() => ds.numData()).toThrow(LightGBMUsageError);
    ds.free(); // twice is fine
  });

  it("accepts Float32Array matrices and weights", () => {
    const p = problem(300);
    const ds = lgb.createDataset({
      data: Float32Array.from(p.data),
      numRows: p.rows,
      numCols: p.cols,
      label: p.label,
      weight: new Float64Array(p.rows).fill(2),
      params: quiet,
    });
    const { booster } = lgb.train({ params: { ...quiet, num_iterations: 5 }, train: ds });
    expect(booster.predict(Float32Array.from(p.data), p.rows, p.cols)).toHaveLength(p.rows);
    booster.free();
    ds.free();
  });

  it("rejects shapes that do not add up, naming the problem", () => {
    const p = problem(10);
    expect(() => lgb.createDataset({ data: p.data, numRows: 11, numCols: 4 })).toThrow(/40 values, expected numRows x numCols = 44/);
    expect(() => lgb.createDataset({ data: p.data, numRows: 10, numCols: 4, label: [1, 2] })).toThrow(/label has 2 values, expected 10/);
    expect(() => lgb.createDataset({ data: p.data, numRows: 10, numCols: 4, featureNames: ["x"] })).toThrow(/featureNames has 1 names/);
    expect(() => lgb.createDataset({ data: p.data, numRows: 0, numCols: 4 })).toThrow(/numRows must be a positive integer/);
  });

  it("passes parameter aliases through to LightGBM (n_estimators, num_leaves via max_leaves)", () => {
    const p = problem(400);
    const ds = lgb.createDataset({ data: p.data, numRows: p.rows, numCols: p.cols, label: p.label, params: quiet });
    const { booster, iterations } = lgb.train({ params: { ...quiet, n_estimators: 7, max_leaves: 5 }, train: ds });
    expect(iterations).toBe(7);
    const text = booster.saveModel();
    expect(text.match(/^Tree=/gm)).toHaveLength(7);
    expect(text).toContain("[num_leaves: 5]");
    expect(text.match(/^num_leaves=(\d+)$/m)?.[1]).toBe("5");
    booster.free();
    ds.free();
  });

  it("evaluates train and validation sets every iteration and stops early at the best iteration", () => {
    const train = problem(2000, 1);
    const valid = problem(500, 99);
    const ds = lgb.createDataset({ data: train.data, numRows: train.rows, numCols: train.cols, label: train.label, params: quiet });
    const vs = lgb.createDataset({ data: valid.data, numRows: valid.rows, numCols: valid.cols, label: valid.label, reference: ds, params: quiet });
    const seen: number[] = [];
    const r = lgb.train({
      params: {
        ...quiet,
        objective: "regression",
        metric: ["l2", "l1"],
        num_iterations: 2000,
        learning_rate: 0.3,
        num_leaves: 63,
        min_data_in_leaf: 2,
        early_stopping_rounds: 10,
      },
      train: ds,
      valid: [{ name: "valid", data: vs }],
      evalTrain: true,
      onIteration: (info) => void seen.push(info.iteration),
    });
    expect(r.stoppedEarly).toBe(true);
    expect(r.iterations).toBeLessThan(2000);
    expect(seen).toHaveLength(r.iterations);
    expect(r.history[0]!.evals.map((e) => `${e.dataset}:${e.metric}`)).toEqual(["training:l2", "training:l1", "valid:l2", "valid:l1"]);
    // the best iteration is where validation l2 was lowest
    const validL2 = r.history.map((h) => h.evals.find((e) => e.dataset === "valid" && e.metric === "l2")!.value);
    const argmin = validL2.indexOf(Math.min(...validL2)) + 1;
    expect(r.bestIteration).toBe(argmin);
    expect(r.iterations - r.bestIteration).toBeGreaterThanOrEqual(10);
    // the saved model and predictions stop at the best iteration
    const text = r.booster.saveModel();
    expect(text.match(/^Tree=/gm)).toHaveLength(r.bestIteration);
    const all = r.booster.predict(valid.data, valid.rows, valid.cols, { numIteration: r.iterations });
    const best = r.booster.predict(valid.data, valid.rows, valid.cols);
    const mse = (p: Float64Array) => p.reduce((s, v, i) => s + (v - valid.label[i]!) ** 2, 0) / p.length;
    expect(mse(best)).toBeCloseTo(validL2[argmin - 1]!, 6);
    expect(mse(best)).toBeLessThanOrEqual(mse(all));
    r.booster.free();
    vs.free();
    ds.free();
  });

  it("round-trips the model text and predicts identically after reloading", () => {
    const p = problem(800);
    const ds = lgb.createDataset({ data: p.data, numRows: p.rows, numCols: p.cols, label: p.label, featureNames: p.names, params: quiet });
    const { booster } = lgb.train({ params: { ...quiet, num_iterations: 30 }, train: ds });
    const text = booster.saveModel();
    const reloaded = lgb.loadModel(text);
    expect(reloaded.saveModel()).toBe(text);
    expect(reloaded.featureNames()).toEqual(p.names);
    expect(reloaded.numFeature()).toBe(4);
    expect(reloaded.currentIteration()).toBe(30);
    const a = booster.predict(p.data, p.rows, p.cols);
    const b = reloaded.predict(p.data, p.rows, p.cols);
    expect(Array.from(b)).toEqual(Array.from(a));
    // missing values are accepted at prediction time
    const withNaN = Float64Array.from(p.data.subarray(0, 4)).fill(Number.NaN, 1, 2);
    expect(Number.isFinite(reloaded.predict(withNaN, 1, 4)[0])).toBe(true);
    // contributions: one per feature plus the bias, summing to the prediction
    const contrib = reloaded.predict(p.data.subarray(0, 4), 1, 4, { type: "contrib" });
    expect(contrib).toHaveLength(5);
    expect(contrib.reduce((s, v) => s + v, 0)).toBeCloseTo(a[0]!, 9);
    expect(reloaded.featureImportance("split").reduce((s, v) => s + v, 0)).toBeGreaterThan(0);
    booster.free();
    reloaded.free();
    ds.free();
  });

  it("surfaces LightGBM's own error messages as typed errors and stays usable", () => {
    const p = problem(100);
    const ds = lgb.createDataset({ data: p.data, numRows: p.rows, numCols: p.cols, label: p.label, params: quiet });
    let err: unknown;
    try {
      lgb.createBooster(ds, { objective: "no_such_objective", verbosity: -1 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LightGBMError);
    expect((err as LightGBMError).message).toBe("Unknown objective type name: no_such_objective");
    expect((err as LightGBMError).call).toBe("LGBM_BoosterCreate");
    expect(() => lgb.loadModel("this is not a model")).toThrow(LightGBMError);
    expect(() => lgb.createBooster(ds, { ...quiet, num_leaves: 1 })).toThrow("Check failed: (num_leaves) > (1)");
    // still usable afterwards
    const { booster } = lgb.train({ params: { ...quiet, num_iterations: 3 }, train: ds });
    expect(() => booster.predict(p.data, p.rows, 3)).toThrow(LightGBMUsageError);
    booster.free();
    ds.free();
  });

  it("names unknown parameters and suggests the closest one", () => {
    expect(() => lgb.checkParams({ nmu_leaves: 3, learning_rate: 0.1 })).toThrow("unknown LightGBM parameter: nmu_leaves (did you mean num_leaves?)");
    expect(() => lgb.checkParams({ n_estimators: 3, eta: 0.1, min_child_samples: 3 })).not.toThrow();
    expect(lgb.aliases().resolve("n_estimators")).toBe("num_iterations");
  });

  it("does not grow wasm memory over 100 train/free cycles", () => {
    const p = problem(1000);
    const cycle = () => {
      const ds = lgb.createDataset({ data: p.data, numRows: p.rows, numCols: p.cols, label: p.label, featureNames: p.names, params: quiet });
      const { booster } = lgb.train({ params: { ...quiet, num_iterations: 10, num_leaves: 15 }, train: ds });
      booster.predict(p.data, p.rows, p.cols);
      booster.saveModel();
      booster.free();
      ds.free();
    };
    cycle(); // first use initialises LightGBM's statics
    const heap = lgb.heapInUse();
    const memory = lgb.memoryBytes();
    for (let i = 0; i < 100; i++) cycle();
    expect(lgb.heapInUse()).toBe(heap);
    expect(lgb.memoryBytes()).toBe(memory);
  });
});
