// Deterministic synthetic data for the predictor's tests and benchmark: features with NaN, exact
// zeros, values within LightGBM's kZeroThreshold of zero, integer category codes, and a feature that
// is missing in every training row. Prediction-time rows add the awkward values training never saw.
import { K_ZERO_THRESHOLD } from "../model.ts";

/** A seeded generator of uniform numbers in [0, 1) (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Table {
  data: Float64Array;
  rows: number;
  cols: number;
}

/**
 * Columns of the mixed table:
 *  0 cat_a    integer codes 0..11 (categorical in the categorical tests; numerical elsewhere)
 *  1 num_nan  uniform [-5, 5], 15% NaN
 *  2 cat_b    integer codes 0..5 with 10% NaN
 *  3 num_zero 35% exactly 0, some values within kZeroThreshold of 0, else uniform [-3, 3]
 *  4 num_full uniform [0, 10], never missing in training
 *  5 all_nan  NaN in every training row
 */
export const MIXED_COLUMNS = ["cat_a", "num_nan", "cat_b", "num_zero", "num_full", "all_nan"];

export function mixedTraining(rows: number, seed: number): Table & { label: Float64Array } {
  const r = rng(seed);
  const cols = MIXED_COLUMNS.length;
  const data = new Float64Array(rows * cols);
  const label = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    const catA = Math.floor(r() * 12);
    const numNan = r() < 0.15 ? NaN : r() * 10 - 5;
    const catB = r() < 0.1 ? NaN : Math.floor(r() * 6);
    const u = r();
    const numZero = u < 0.35 ? 0 : u < 0.4 ? (r() - 0.5) * 2 * K_ZERO_THRESHOLD : r() * 6 - 3;
    const numFull = r() * 10;
    data[o] = catA;
    data[o + 1] = numNan;
    data[o + 2] = catB;
    data[o + 3] = numZero;
    data[o + 4] = numFull;
    data[o + 5] = NaN;
    label[i] =
      [3, -1, 4, 1, -5, 9, 2, -6, 5, 3, -5, 8][catA]! +
      (Number.isNaN(numNan) ? 2.5 : Math.sin(numNan) * 2) +
      (Number.isNaN(catB) ? -1 : catB % 2 === 0 ? 1.5 : -0.5) +
      (numZero === 0 ? 3 : numZero) +
      0.3 * numFull +
      (r() - 0.5) * 0.5;
  }
  return { data, rows, cols, label };
}

/** The awkward values a served row may hold, per column kind. */
const NUMERIC_ODDITIES = [
  NaN,
  0,
  -0,
  K_ZERO_THRESHOLD,
  -K_ZERO_THRESHOLD,
  K_ZERO_THRESHOLD * 1.0000001,
  -K_ZERO_THRESHOLD * 1.0000001,
  1e-40,
  -1e-300,
  Infinity,
  -Infinity,
  1e300,
  -1e300,
  Number.MIN_VALUE,
  5e-324,
];
const CATEGORY_ODDITIES = [
  NaN,
  -1,
  -0.5,
  -0.999,
  -2,
  0,
  -0,
  0.5,
  2.7,
  11.999,
  12,
  31,
  32,
  33,
  63,
  64,
  1000,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 31 - 0.5,
  2 ** 32 + 3,
  1e10,
  -1e10,
  Infinity,
  -Infinity,
  K_ZERO_THRESHOLD,
  1e-40,
];

/** Rows for prediction: mostly like training, a third with the oddities above in random columns. */
export function mixedServing(rows: number, seed: number): Table {
  const base = mixedTraining(rows, seed);
  const r = rng(seed ^ 0x5bd1e995);
  const cols = base.cols;
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    base.data[o + 5] = r() < 0.5 ? NaN : r() * 4 - 2; // the all-missing-in-training feature now has values
    if (r() < 0.2) base.data[o + 4] = NaN; // never missing in training, missing now
    if (r() < 0.35) {
      for (const c of [0, 2]) if (r() < 0.5) base.data[o + c] = CATEGORY_ODDITIES[Math.floor(r() * CATEGORY_ODDITIES.length)]!;
      for (const c of [1, 3, 4, 5]) if (r() < 0.3) base.data[o + c] = NUMERIC_ODDITIES[Math.floor(r() * NUMERIC_ODDITIES.length)]!;
    }
  }
  return { data: base.data, rows, cols };
}

/** A dense numerical regression problem (no missing values), for the benchmark. */
export function denseRegression(rows: number, cols: number, seed: number): Table & { label: Float64Array } {
  const r = rng(seed);
  const data = new Float64Array(rows * cols);
  const label = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let y = 0;
    for (let j = 0; j < cols; j++) {
      const v = r() * 10 - 5;
      data[i * cols + j] = v;
      y += (j % 3 === 0 ? Math.sin(v) : j % 3 === 1 ? v * 0.3 : v > 0 ? 1 : -1) / (1 + j * 0.2);
    }
    label[i] = y + (r() - 0.5) * 0.2;
  }
  return { data, rows, cols, label };
}
