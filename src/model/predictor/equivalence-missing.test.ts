// Trained regression models (LightGBM-wasm, thousands of synthetic rows) and the predictor must give
// bitwise-equal predictions under each of LightGBM's missing-value regimes: NaN as missing (the
// default), zero_as_missing=true, use_missing=false; with a feature that is missing in every training
// row, one never missing in training but missing when served, zeros, values within kZeroThreshold
// of zero, infinities; for 1 tree and for 320 trees.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LightGBM } from "../lightgbm-wasm/lightgbm.ts";
import { loadLightGBM } from "../lightgbm-wasm/node.ts";
import { KIND_ZERO } from "./compact-forest.ts";
import { differencesFromBooster, numericalNodesWithMissingType, trainAndParse, type Trained } from "./testing/against-booster.ts";
import { mixedServing, mixedTraining } from "./testing/synthetic.ts";
import { MISSING_NAN, MISSING_NONE, MISSING_ZERO } from "./tree-text.ts";

const train = mixedTraining(4000, 11);
const serve = mixedServing(3000, 12);

describe("missing values: predictor equals LightGBM-wasm bit for bit", () => {
  let lgb: LightGBM;
  const trained: Trained[] = [];
  beforeAll(async () => {
    lgb = await loadLightGBM();
  });
  afterAll(() => {
    for (const t of trained) t.free();
  });
  const fit = (params: Record<string, string | number | boolean>) => {
    const fitted = trainAndParse(lgb, train, train.label, { objective: "regression", num_leaves: 31, min_data_in_leaf: 10, num_iterations: 40, ...params });
    trained.push(fitted);
    return fitted;
  };

  it("NaN as missing (defaults): NaN nodes take their default side, the all-NaN feature is unused", () => {
    const t = fit({});
    expect(numericalNodesWithMissingType(t.model, MISSING_NAN)).toBeGreaterThan(0);
    expect(numericalNodesWithMissingType(t.model, MISSING_NONE)).toBeGreaterThan(0);
    expect(t.model.info.featureInfos[5]).toEqual({ kind: "unused" });
    expect(t.model.forest.splitFeature).not.toContain(5);
    // "Is it missing?" splits (threshold +inf, NaN to the right) are walked in lockstep too.
    expect(Array.from(t.model.forest.threshold)).toContain(Infinity);
    expect(t.model.lockstep.numLockstepTrees).toBe(t.model.info.numTrees);
    expect(differencesFromBooster(t, serve)).toEqual([]);
    // The training rows too (they hold the values within kZeroThreshold of zero).
    expect(differencesFromBooster(t, train, [{}])).toEqual([]);
  });

  it("zero_as_missing=true: 0.0 and NaN take the default side", () => {
    const t = fit({ zero_as_missing: true });
    expect(numericalNodesWithMissingType(t.model, MISSING_ZERO)).toBeGreaterThan(0);
    expect(Array.from(t.model.forest.treeKind)).toContain(KIND_ZERO);
    // Every numerical node treats zero as missing here, so 0.0 becomes NaN for the lockstep walk.
    expect(Array.from(t.model.lockstep.zeroAsNaN)).toContain(1);
    expect(t.model.lockstep.numLockstepTrees).toBe(t.model.info.numTrees);
    expect(differencesFromBooster(t, serve)).toEqual([]);
    expect(differencesFromBooster(t, train, [{}])).toEqual([]);
  });

  it("use_missing=false: no missing handling, NaN is read as 0.0", () => {
    const t = fit({ use_missing: false });
    expect(numericalNodesWithMissingType(t.model, MISSING_NAN)).toBe(0);
    expect(numericalNodesWithMissingType(t.model, MISSING_ZERO)).toBe(0);
    expect(differencesFromBooster(t, serve)).toEqual([]);
  });

  it("a single tree", () => {
    const t = fit({ num_iterations: 1 });
    expect(t.model.info.numTrees).toBe(1);
    expect(differencesFromBooster(t, serve, [{}, { rawScore: true }])).toEqual([]);
  });

  it("320 trees of up to 63 leaves, NaN as missing and zero_as_missing", () => {
    for (const extra of [{}, { zero_as_missing: true }] as Record<string, boolean>[]) {
      const t = fit({ num_iterations: 320, num_leaves: 63, learning_rate: 0.05, ...extra });
      expect(t.model.info.numTrees).toBe(320);
      expect(differencesFromBooster(t, serve, [{}, { rawScore: true }, { startIteration: 100, numIteration: 150 }])).toEqual([]);
    }
  });
});
