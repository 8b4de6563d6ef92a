// Runs the predictor and a LightGBM-wasm Booster side by side on the same rows and reports every
// prediction that is not bitwise equal: batch and single-row, normal and raw scores, and chosen
// iteration ranges.
import type { Booster, LightGBM } from "../../lightgbm-wasm/lightgbm.ts";
import type { Params } from "../../lightgbm-wasm/params.ts";
import type { Model, PredictOptions } from "../model.ts";
import { parseModel } from "../parse-model.ts";
import { bitwiseDifferences } from "./compare.ts";
import type { Table } from "./synthetic.ts";

export const QUIET: Params = { verbosity: -1, deterministic: true, force_row_wise: true, num_threads: 1, seed: 1 };

export interface Trained {
  booster: Booster;
  text: string;
  /** The model as served (lockstep evaluator for the trees it can express). */
  model: Model;
  /** The same text with every tree on the general evaluator. */
  general: Model;
  free(): void;
}

/** Trains with LightGBM-wasm, saves the model text and parses it with the predictor. */
export function trainAndParse(lgb: LightGBM, table: Table, label: ArrayLike<number>, params: Params): Trained {
  const all = { ...QUIET, ...params };
  const ds = lgb.createDataset({ data: table.data, numRows: table.rows, numCols: table.cols, label, params: all });
  try {
    const { booster } = lgb.train({ params: all, train: ds });
    const text = booster.saveModel();
    return { booster, text, model: parseModel(text), general: parseModel(text, { lockstep: false }), free: () => booster.free() };
  } finally {
    ds.free();
  }
}

/** The iteration ranges every equivalence test checks (LightGBM clamps out-of-range ones). */
export const ITERATION_CHOICES: readonly PredictOptions[] = [
  {},
  { rawScore: true },
  { startIteration: 0, numIteration: 1 },
  { startIteration: 3, numIteration: 7 },
  { startIteration: 2, numIteration: 10_000 },
];

/**
 * Differences between the Booster's predictions and the predictor's, for both evaluators (the
 * served model with lockstep walks, and the general loop alone), batch and one row at a time, for
 * each of the given options; [] when all are bitwise equal.
 */
export function differencesFromBooster(t: Trained, table: Table, choices: readonly PredictOptions[] = ITERATION_CHOICES): string[] {
  const out: string[] = [];
  for (const opts of choices) {
    const label = JSON.stringify(opts);
    const expected = t.booster.predict(table.data, table.rows, table.cols, {
      type: opts.rawScore ? "raw" : "normal",
      startIteration: opts.startIteration ?? 0,
      numIteration: opts.numIteration ?? -1,
    });
    for (const [name, model] of [
      ["lockstep", t.model],
      ["general", t.general],
    ] as const) {
      for (const d of bitwiseDifferences(expected, model.predictBatch(table.data, table.rows, opts))) out.push(`${name} batch ${label}: ${d}`);
      for (const d of bitwiseDifferences(expected, predictRows(model, table, opts))) out.push(`${name} single-row ${label}: ${d}`);
    }
  }
  return out;
}

/** The model's predictions one row at a time. */
function predictRows(model: Model, table: Table, opts: PredictOptions): Float64Array {
  const k = model.numOutputs;
  const out = new Float64Array(table.rows * k);
  for (let r = 0; r < table.rows; r++) {
    const row = table.data.subarray(r * table.cols, (r + 1) * table.cols);
    if (k === 1) out[r] = model.predict(row, opts);
    else model.predictInto(row, out, r * k, opts);
  }
  return out;
}

/** How many nodes of the model have each decision type (decision_type value -> count). */
export function decisionTypeCounts(model: Model): Map<number, number> {
  const counts = new Map<number, number>();
  for (const d of model.forest.decisionType) counts.set(d, (counts.get(d) ?? 0) + 1);
  return counts;
}

/** Counts nodes whose missing type (bits 2-3 of decision_type) is `missingType` among numerical nodes. */
export function numericalNodesWithMissingType(model: Model, missingType: number): number {
  let n = 0;
  for (const d of model.forest.decisionType) if ((d & 1) === 0 && ((d >> 2) & 3) === missingType) n++;
  return n;
}
