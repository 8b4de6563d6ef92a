// Categorical splits (categorical_feature=0,2 with integer codes) trained by LightGBM-wasm: the
// predictor must match bit for bit, including codes never seen in training, negative, fractional,
// huge and missing codes, for many-vs-many bitset splits and one-hot style splits.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LightGBM } from "../lightgbm-wasm/lightgbm.ts";
import { loadLightGBM } from "../lightgbm-wasm/node.ts";
import { KIND_CATEGORICAL } from "./compact-forest.ts";
import { differencesFromBooster, trainAndParse, type Trained } from "./testing/against-booster.ts";
import { mixedServing, mixedTraining } from "./testing/synthetic.ts";

const train = mixedTraining(4000, 21);
const serve = mixedServing(3000, 22);

/** The number of categories sent left by each categorical node. */
function categoriesPerSplit(t: Trained): number[] {
  const f = t.model.forest;
  const out: number[] = [];
  for (let node = 0; node < f.catIndex.length; node++) {
    const c = f.catIndex[node]!;
    if (c < 0) continue;
    let bits = 0;
    for (let w = 0; w < f.catWords[c]!; w++) {
      let word = f.catThreshold[f.catBegin[c]! + w]!;
      while (word) {
        bits += word & 1;
        word >>>= 1;
      }
    }
    out.push(bits);
  }
  return out;
}

describe("categorical features: predictor equals LightGBM-wasm bit for bit", () => {
  let lgb: LightGBM;
  const trained: Trained[] = [];
  beforeAll(async () => {
    lgb = await loadLightGBM();
  });
  afterAll(() => {
    for (const t of trained) t.free();
  });
  const fit = (params: Record<string, string | number | boolean>) => {
    const t = trainAndParse(lgb, train, train.label, {
      objective: "regression",
      categorical_feature: "0,2",
      num_leaves: 31,
      min_data_in_leaf: 10,
      min_data_per_group: 5,
      cat_smooth: 1,
      num_iterations: 60,
      ...params,
    });
    trained.push(t);
    return t;
  };

  it("many-vs-many bitset splits", () => {
    const t = fit({ max_cat_to_onehot: 1 });
    expect(t.model.info.hasCategoricalSplits).toBe(true);
    expect(t.model.info.featureInfos[0]?.kind).toBe("categorical");
    expect(Array.from(t.model.forest.treeKind)).toContain(KIND_CATEGORICAL);
    expect(t.model.lockstep.numLockstepTrees).toBeLessThan(t.model.info.numTrees); // categorical trees: general loop
    expect(Math.max(...categoriesPerSplit(t))).toBeGreaterThan(1);
    expect(differencesFromBooster(t, serve)).toEqual([]);
  });

  it("one-hot style splits (max_cat_to_onehot above the number of categories)", () => {
    const t = fit({ max_cat_to_onehot: 16 });
    expect(categoriesPerSplit(t).length).toBeGreaterThan(0);
    expect(Math.max(...categoriesPerSplit(t))).toBe(1);
    expect(differencesFromBooster(t, serve)).toEqual([]);
  });

  it("with zero_as_missing=true on the numerical features", () => {
    const t = fit({ zero_as_missing: true });
    expect(differencesFromBooster(t, serve)).toEqual([]);
  });

  it("with use_missing=false, and 300 trees", () => {
    const t = fit({ use_missing: false, num_iterations: 300, learning_rate: 0.05 });
    expect(t.model.info.numTrees).toBe(300);
    expect(differencesFromBooster(t, serve, [{}, { startIteration: 250, numIteration: 100 }])).toEqual([]);
  });
});
