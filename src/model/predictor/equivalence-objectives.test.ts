// Each objective's output transform (identity, reg_sqrt's square, exp for poisson/gamma/tweedie,
// sigmoid for binary, softmax for multiclass, per-class sigmoid for multiclassova, cross-entropy's),
// rf's averaging, dart and goss boosting, and linear trees: trained by LightGBM-wasm, predicted by
// both, bitwise equal (normal and raw scores, several iteration ranges).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LightGBM } from "../lightgbm-wasm/lightgbm.ts";
import { loadLightGBM } from "../lightgbm-wasm/node.ts";
import { differencesFromBooster, trainAndParse, type Trained } from "./testing/against-booster.ts";
import { mixedServing, mixedTraining } from "./testing/synthetic.ts";

const train = mixedTraining(4000, 31);
const serve = mixedServing(3000, 32);
const y = train.label;
const labels = {
  real: y,
  signedSquare: y.map((v) => v * Math.abs(v)),
  count: y.map((v) => Math.max(0, Math.round(v))),
  positive: y.map((v) => Math.exp(v / 5)),
  binary: y.map((v) => (v > 3 ? 1 : 0)),
  probability: y.map((v) => 1 / (1 + Math.exp(-(v - 3) / 2))),
  threeClasses: y.map((v) => (v < 0 ? 0 : v < 5 ? 1 : 2)),
  fourClasses: y.map((v) => (v < -1 ? 0 : v < 3 ? 1 : v < 7 ? 2 : 3)),
};

const CASES: { name: string; label: Float64Array; params: Record<string, string | number | boolean>; transform: string; outputs?: number }[] = [
  { name: "regression (L2)", label: labels.real, params: { objective: "regression" }, transform: "identity" },
  { name: "regression with reg_sqrt", label: labels.signedSquare, params: { objective: "regression", reg_sqrt: true }, transform: "square" },
  { name: "regression_l1 with reg_sqrt", label: labels.signedSquare, params: { objective: "regression_l1", reg_sqrt: true }, transform: "square" },
  { name: "huber", label: labels.real, params: { objective: "huber" }, transform: "identity" },
  { name: "quantile", label: labels.real, params: { objective: "quantile", alpha: 0.9 }, transform: "identity" },
  { name: "poisson", label: labels.count, params: { objective: "poisson" }, transform: "exp" },
  { name: "gamma", label: labels.positive, params: { objective: "gamma" }, transform: "exp" },
  { name: "tweedie", label: labels.count, params: { objective: "tweedie", tweedie_variance_power: 1.3 }, transform: "exp" },
  { name: "binary", label: labels.binary, params: { objective: "binary" }, transform: "sigmoid" },
  { name: "binary with sigmoid=0.7", label: labels.binary, params: { objective: "binary", sigmoid: 0.7 }, transform: "sigmoid" },
  { name: "cross_entropy", label: labels.probability, params: { objective: "cross_entropy" }, transform: "logistic" },
  { name: "cross_entropy_lambda", label: labels.probability, params: { objective: "cross_entropy_lambda" }, transform: "log1p-exp" },
  { name: "multiclass (3)", label: labels.threeClasses, params: { objective: "multiclass", num_class: 3 }, transform: "softmax", outputs: 3 },
  {
    name: "multiclass (4), categorical",
    label: labels.fourClasses,
    params: { objective: "multiclass", num_class: 4, categorical_feature: "0,2" },
    transform: "softmax",
    outputs: 4,
  },
  {
    name: "multiclassova (3), sigmoid=1.3",
    label: labels.threeClasses,
    params: { objective: "multiclassova", num_class: 3, sigmoid: 1.3 },
    transform: "sigmoid-per-class",
    outputs: 3,
  },
  {
    name: "rf (average_output)",
    label: labels.real,
    params: { objective: "regression", boosting: "rf", bagging_fraction: 0.6, bagging_freq: 1, feature_fraction: 0.8 },
    transform: "identity",
  },
  { name: "rf, binary", label: labels.binary, params: { objective: "binary", boosting: "rf", bagging_fraction: 0.6, bagging_freq: 1 }, transform: "sigmoid" },
  { name: "dart", label: labels.real, params: { objective: "regression", boosting: "dart", drop_rate: 0.2 }, transform: "identity" },
  { name: "goss", label: labels.real, params: { objective: "regression", data_sample_strategy: "goss" }, transform: "identity" },
  { name: "linear trees", label: labels.real, params: { objective: "regression", linear_tree: true, linear_lambda: 0.01 }, transform: "identity" },
  {
    name: "linear trees, poisson, categorical splits",
    label: labels.count,
    params: { objective: "poisson", linear_tree: true, categorical_feature: "0,2" },
    transform: "exp",
  },
];

describe("objectives and boosting types: predictor equals LightGBM-wasm bit for bit", () => {
  let lgb: LightGBM;
  const trained: Trained[] = [];
  beforeAll(async () => {
    lgb = await loadLightGBM();
  });
  afterAll(() => {
    for (const t of trained) t.free();
  });

  for (const c of CASES) {
    it(c.name, () => {
      const t = trainAndParse(lgb, train, c.label, { num_leaves: 15, min_data_in_leaf: 10, num_iterations: 30, ...c.params });
      trained.push(t);
      expect(t.model.info.objective.transform).toBe(c.transform);
      expect(t.model.numOutputs).toBe(c.outputs ?? 1);
      if (c.params.boosting === "rf") expect(t.model.info.averageOutput).toBe(true);
      if (c.params.categorical_feature) expect(t.model.info.hasCategoricalSplits).toBe(true);
      if (c.params.linear_tree) {
        expect(t.model.info.hasLinearTrees).toBe(true);
        expect(t.model.forest.leafCoeff.length).toBeGreaterThan(0);
      }
      expect(differencesFromBooster(t, serve)).toEqual([]);
    });
  }
});
