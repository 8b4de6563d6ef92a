// node bench/predictor.bench.ts — the serving-path predictor (plain TypeScript over flat typed
// arrays) against LightGBM-wasm's Booster.predict, for 100/500/2000-tree models (31 leaves, 20
// features) trained by LightGBM-wasm on synthetic rows. Times per row: a batch of 10,000 rows and
// single-row calls; medians of BENCH_RUNS runs (default 7) after one warm-up. Also: model text size,
// parse time, and that every prediction is bitwise equal to the Booster's.
// Target: <= 10 µs per row for the 500-tree model, single row.
import { loadLightGBM } from "../src/model/lightgbm-wasm/node.ts";
import { parseModel } from "../src/model/predictor/index.ts";
import { denseRegression } from "../src/model/predictor/testing/synthetic.ts";

const RUNS = Math.max(5, Number(process.env.BENCH_RUNS ?? 7));
const ROWS = Number(process.env.BENCH_ROWS ?? 10_000);
const COLS = 20;
const TREES = [100, 500, 2000];
const TARGET_US = 10;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Median over RUNS (after one warm-up) of fn's duration, in ms. */
function timeMs(fn: () => void): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

let sink = 0;

async function main() {
  const lgb = await loadLightGBM();
  const train = denseRegression(20_000, COLS, 1);
  const serve = denseRegression(ROWS, COLS, 2);
  const rows = Array.from({ length: ROWS }, (_, r) => serve.data.subarray(r * COLS, (r + 1) * COLS));
  const ds = lgb.createDataset({
    data: train.data,
    numRows: train.rows,
    numCols: COLS,
    label: train.label,
    params: { verbosity: -1, max_bin: 255 },
  });

  const results: Record<string, string | number>[] = [];
  for (const numTrees of TREES) {
    const tTrain = performance.now();
    const { booster } = lgb.train({
      params: { objective: "regression", num_iterations: numTrees, num_leaves: 31, min_data_in_leaf: 20, learning_rate: 0.05, verbosity: -1, num_threads: 1, deterministic: true, force_row_wise: true, seed: 1 },
      train: ds,
    });
    const trainS = (performance.now() - tTrain) / 1000;
    const text = booster.saveModel();
    const model = parseModel(text);
    const parseMs = timeMs(() => {
      sink += parseModel(text).info.numNodes;
    });

    // Equality first: the benchmark is only meaningful if the answers are the same.
    const wasmAll = booster.predict(serve.data, ROWS, COLS);
    const tsAll = model.predictBatch(serve.data, ROWS);
    let diff = 0;
    for (let i = 0; i < ROWS; i++) {
      if (!Object.is(wasmAll[i], tsAll[i]) || !Object.is(wasmAll[i], model.predict(rows[i]!))) diff++;
    }

    const tsBatch = timeMs(() => {
      sink += model.predictBatch(serve.data, ROWS)[0]!;
    });
    const tsSingle = timeMs(() => {
      let s = 0;
      for (let r = 0; r < ROWS; r++) s += model.predict(rows[r]!);
      sink += s;
    });
    const wasmBatch = timeMs(() => {
      sink += booster.predict(serve.data, ROWS, COLS)[0]!;
    });
    const singleCalls = Math.min(ROWS, numTrees >= 2000 ? 1000 : 2000);
    const wasmSingle = timeMs(() => {
      let s = 0;
      for (let r = 0; r < singleCalls; r++) s += booster.predict(rows[r]!, 1, COLS)[0]!;
      sink += s;
    });
    booster.free();

    const us = (ms: number, n: number) => (ms * 1000) / n;
    results.push({
      trees: numTrees,
      nodes: model.info.numNodes,
      "text KB": Math.round(text.length / 1024),
      "train s": trainS.toFixed(1),
      "parse ms": parseMs.toFixed(1),
      "TS batch µs/row": us(tsBatch, ROWS).toFixed(2),
      "TS single µs/row": us(tsSingle, ROWS).toFixed(2),
      "wasm batch µs/row": us(wasmBatch, ROWS).toFixed(2),
      "wasm single µs/row": us(wasmSingle, singleCalls).toFixed(2),
      "single: wasm/TS": (us(wasmSingle, singleCalls) / us(tsSingle, ROWS)).toFixed(1),
      "bitwise equal": diff === 0 ? "yes" : `NO (${diff} rows differ)`,
    });
  }
  ds.free();

  console.log(`predictor bench: ${ROWS} rows x ${COLS} features, 31 leaves, medians of ${RUNS} runs after a warm-up; ${process.version} on ${process.arch}`);
  const keys = Object.keys(results[0]!);
  const width = keys.map((k) => Math.max(k.length, ...results.map((r) => String(r[k]).length)));
  console.log(keys.map((k, i) => k.padStart(width[i]!)).join("  "));
  for (const r of results) console.log(keys.map((k, i) => String(r[k]).padStart(width[i]!)).join("  "));
  const at500 = Number(results.find((r) => r.trees === 500)?.["TS single µs/row"]);
  const equal = results.every((r) => r["bitwise equal"] === "yes");
  console.log(`target: 500-tree model, single row <= ${TARGET_US} µs: ${at500.toFixed(2)} µs -> ${at500 <= TARGET_US ? "met" : "NOT met"}`);
  if (sink === 42) console.log(""); // keep the results alive
  if (!equal || !(at500 <= TARGET_US)) process.exitCode = 1;
}

await main();
