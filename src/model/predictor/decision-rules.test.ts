// LightGBM's split rules, exhaustively, on hand-built trees loaded both into LightGBM-wasm and into
// the predictor: every numerical decision type (missing type None / Zero / NaN x default left or
// right) at thresholds on both sides of zero and of kZeroThreshold, and categorical bitsets at
// word boundaries, against NaN, +-0, values within kZeroThreshold, infinities, negative, fractional
// and out-of-range category codes. Predictions must be bitwise equal.
import { beforeAll, describe, expect, it } from "vitest";
import type { LightGBM } from "../lightgbm-wasm/lightgbm.ts";
import { loadLightGBM } from "../lightgbm-wasm/node.ts";
import { K_ZERO_THRESHOLD } from "./model.ts";
import { parseModel } from "./parse-model.ts";
import { bitwiseDifferences } from "./testing/compare.ts";
import { buildModelText, type TreeSpec } from "./testing/model-text-builder.ts";

const K = K_ZERO_THRESHOLD;
const PROBES = [
  NaN,
  0,
  -0,
  K,
  -K,
  K * 1.0000001,
  -K * 1.0000001,
  K / 2,
  -K / 2,
  1e-40,
  -1e-40,
  1e-300,
  -1e-300,
  5e-324,
  -5e-324,
  1e-30,
  -1e-30,
  0.5,
  -0.5,
  1.5,
  -1.5,
  1.4999999999999998,
  -1.5000000000000002,
  2,
  -2,
  1e300,
  -1e300,
  Infinity,
  -Infinity,
];
const THRESHOLDS = [-1.5, -K, -1e-40, 0, 1e-40, K, 1.0000000180025095e-35, 1.5, -Infinity, Infinity, -1e300];
const NUMERICAL_DECISION_TYPES = [0, 2, 4, 6, 8, 10]; // missing None/Zero/NaN (<<2) | default_left (2)

function stump(decisionType: number, threshold: number): TreeSpec {
  return { splitFeature: [0], threshold: [threshold], decisionType: [decisionType], leftChild: [-1], rightChild: [-2], leafValue: [-1.25, 3.5] };
}

describe("split rules equal LightGBM-wasm's on hand-built trees", () => {
  let lgb: LightGBM;
  beforeAll(async () => {
    lgb = await loadLightGBM();
  });

  function check(text: string, numFeatures: number, rows: Float64Array) {
    const booster = lgb.loadModel(text);
    try {
      const n = rows.length / numFeatures;
      const wasm = booster.predict(rows, n, numFeatures);
      for (const model of [parseModel(text), parseModel(text, { lockstep: false })]) {
        expect(bitwiseDifferences(wasm, model.predictBatch(rows, n))).toEqual([]);
        const single = Float64Array.from({ length: n }, (_, i) => model.predict(rows.subarray(i * numFeatures, (i + 1) * numFeatures)));
        expect(bitwiseDifferences(wasm, single)).toEqual([]);
      }
    } finally {
      booster.free();
    }
  }

  for (const dt of NUMERICAL_DECISION_TYPES) {
    it(`numerical decision_type ${dt} at ${THRESHOLDS.length} thresholds`, () => {
      for (const thr of THRESHOLDS) check(buildModelText({ numFeatures: 1, trees: [stump(dt, thr)] }), 1, Float64Array.from(PROBES));
    });
  }

  it("a deeper tree mixing decision types and features, zero-as-missing deep inside", () => {
    const tree: TreeSpec = {
      splitFeature: [0, 1, 2, 1, 0],
      threshold: [0.5, -K, 0, 1.5, -2],
      decisionType: [8, 6, 10, 0, 4],
      leftChild: [1, 3, -3, -4, -5],
      rightChild: [2, 4, -1, -2, -6],
      leafValue: [0.1, 0.2, 0.4, 0.8, 1.6, 3.2],
    };
    const rows: number[] = [];
    for (const a of PROBES) for (const b of [NaN, 0, -K, 1, -1, 2]) for (const c of [NaN, 0, 1e-40, -1]) rows.push(a, b, c);
    check(buildModelText({ numFeatures: 3, trees: [tree] }), 3, Float64Array.from(rows));
  });

  it("categorical bitsets across word boundaries, any decision-type bits, with unseen, negative and huge codes", () => {
    // Node 0: categorical on f0 with a 3-word bitset (codes 0..95); node 1: categorical on f1 with a
    // 1-word bitset; node 2: numerical zero-as-missing on f0. Missing-type and default-left bits on a
    // categorical node must not matter.
    const tree: TreeSpec = {
      splitFeature: [0, 1, 0],
      threshold: [0, 1, 7.5],
      decisionType: [1 | 2 | 8, 1 | 4, 6],
      leftChild: [1, -1, -3],
      rightChild: [2, -2, -4],
      leafValue: [1, 2, 4, 8],
      catBoundaries: [0, 3, 4],
      catThreshold: [0b10000000000000000000000000010101 >>> 0, 0x80000001 >>> 0, 0x0000f00f, 0b110],
    };
    const codes = [
      NaN,
      -0,
      0,
      K,
      1e-40,
      -1e-40,
      -0.5,
      -0.9999999999999999,
      -1,
      -2,
      0.5,
      0.9999999999999999,
      1,
      2,
      2.5,
      4,
      31,
      31.5,
      32,
      33,
      63,
      64,
      65,
      66,
      67,
      75,
      76,
      95,
      96,
      97,
      1000,
      2 ** 31 - 1,
      2 ** 31 - 0.5,
      2 ** 31,
      2 ** 32,
      2 ** 32 + 2,
      1e10,
      -1e10,
      1e300,
      Infinity,
      -Infinity,
      7.5,
      8,
    ];
    const rows: number[] = [];
    for (const a of codes) for (const b of [NaN, 0, 1, 2, 3, -1, 2.9, 32, 33, 1e12]) rows.push(a, b);
    check(buildModelText({ numFeatures: 2, trees: [tree] }), 2, Float64Array.from(rows));
  });

  it("one-leaf trees, and text without tree_sizes", () => {
    const constant: TreeSpec = { splitFeature: [], threshold: [], decisionType: [], leftChild: [], rightChild: [], leafValue: [0.3] };
    const rows = Float64Array.from(PROBES);
    check(buildModelText({ numFeatures: 1, trees: [constant, stump(2, 0.5), constant] }), 1, rows);
    check(buildModelText({ numFeatures: 1, trees: [constant, stump(10, -K), constant], treeSizes: false }), 1, rows);
  });
});
