// npm run bench:lightgbm — lightgbm-wasm against native LightGBM built from the same source
// (single-threaded, no OpenMP; built into .cache/lightgbm-native when missing).
// Same data, same parameters, same C API calls; medians over the runs after one warm-up.
// Targets: training <= 1.2x native, prediction <= 1.3x native.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parseCsvMatrix } from "../src/model/lightgbm-wasm/csv-matrix.ts";
import { compileLightGBMWasm } from "../src/model/lightgbm-wasm/node.ts";
import { LightGBM } from "../src/model/lightgbm-wasm/lightgbm.ts";
import { parseParams } from "../src/model/lightgbm-wasm/params.ts";
import { buildNative } from "../scripts/lightgbm-native/build-native.ts";

const run = promisify(execFile);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ROWS = Number(process.env.BENCH_ROWS ?? 20_000);
const COLS = 12;
const PARAMS =
  "num_iterations=300 objective=regression num_leaves=31 learning_rate=0.05 deterministic=true force_row_wise=true num_threads=1 seed=7 verbosity=-1";

function syntheticCsv(): string {
  let s = 42;
  const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const header = [...Array.from({ length: COLS }, (_, j) => `x${j}`), "y"].join(",");
  const lines = [header];
  for (let i = 0; i < ROWS; i++) {
    const x = Array.from({ length: COLS }, () => Math.round((rand() * 10 - 5) * 1e4) / 1e4);
    const y = 2 * x[0]! + Math.sin(x[1]!) * 3 + x[2]! * x[3]! * 0.3 + (x[4]! > 0 ? x[5]! : -x[5]!) + (rand() - 0.5);
    lines.push([...x, Math.round(y * 1e6) / 1e6].join(","));
  }
  return `${lines.join("\n")}\n`;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface Times {
  dataset_ms: number;
  train_ms: number;
  predict_ms: number;
  save_ms: number;
}

async function main() {
  const { runner } = await buildNative();
  const dir = await mkdtemp(join(tmpdir(), "nalssi-bench-"));
  const csvPath = join(dir, "bench.csv");
  const csv = syntheticCsv();
  await writeFile(csvPath, csv);

  // native: 1 warm-up + RUNS, in its own process, timed inside with CLOCK_MONOTONIC
  const { stdout } = await run(runner, ["bench", csvPath, "y", PARAMS, "300", String(RUNS + 1)], { maxBuffer: 1 << 24 });
  const native = stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Times & { check: number })
    .slice(1);

  // wasm: same calls from TypeScript
  const tc = performance.now();
  const module = await compileLightGBMWasm();
  const compileMs = performance.now() - tc;
  const ti = performance.now();
  const lgb = await LightGBM.create(module);
  const instantiateMs = performance.now() - ti;
  const m = parseCsvMatrix(await readFile(csvPath, "utf8"), { label: "y" });
  const params = parseParams(PARAMS);
  const wasm: (Times & { check: number })[] = [];
  for (let r = 0; r < RUNS + 1; r++) {
    const t0 = performance.now();
    const ds = lgb.createDataset({ data: m.data, numRows: m.numRows, numCols: m.numCols, label: m.label!, featureNames: m.featureNames, params });
    const t1 = performance.now();
    const { booster } = lgb.train({ params, train: ds });
    const t2 = performance.now();
    const pred = booster.predict(m.data, m.numRows, m.numCols);
    const t3 = performance.now();
    booster.saveModel();
    const t4 = performance.now();
    booster.free();
    ds.free();
    if (r > 0) wasm.push({ dataset_ms: t1 - t0, train_ms: t2 - t1, predict_ms: t3 - t2, save_ms: t4 - t3, check: pred[0]! });
  }
  const same = wasm.every((w, i) => Object.is(w.check, native[i]?.check));

  const wasmStats = await readFile(new URL("../src/model/lightgbm-wasm/dist/lightgbm.wasm", import.meta.url));
  console.log(`lightgbm-wasm vs native LightGBM 4.1 (same source, 1 thread), ${ROWS} x ${COLS} regression, 300 iterations, 31 leaves`);
  console.log(
    `node ${process.version}, median of ${RUNS} runs after 1 warm-up; wasm ${(wasmStats.byteLength / 1e6).toFixed(2)} MB, compile ${compileMs.toFixed(1)} ms, instantiate ${instantiateMs.toFixed(1)} ms`,
  );
  console.log("");
  console.log("step              native ms     wasm ms    ratio   target");
  const targets: Record<string, number> = { train_ms: 1.2, predict_ms: 1.3 };
  const summary: Record<string, { native_ms: number; wasm_ms: number; ratio: number }> = {};
  let ok = true;
  for (const k of ["dataset_ms", "train_ms", "predict_ms", "save_ms"] as const) {
    const n = median(native.map((t) => t[k]));
    const w = median(wasm.map((t) => t[k]));
    const ratio = w / n;
    summary[k] = { native_ms: n, wasm_ms: w, ratio };
    const target = targets[k];
    const verdict = target === undefined ? "" : ratio <= target ? `<= ${target}x ok` : `<= ${target}x MISSED`;
    if (target !== undefined && ratio > target) ok = false;
    console.log(`${k.replace("_ms", "").padEnd(16)} ${n.toFixed(1).padStart(10)} ${w.toFixed(1).padStart(11)} ${ratio.toFixed(2).padStart(8)}x   ${verdict}`);
  }
  console.log("");
  console.log(`first prediction identical in every run: ${same}`);
  if (process.env.BENCH_JSON)
    console.log(JSON.stringify({ rows: ROWS, cols: COLS, runs: RUNS, compile_ms: compileMs, instantiate_ms: instantiateMs, ...summary, identical: same }));
  if (!ok) console.log("note: a target was missed on this run (the machine may be busy; see the ratios).");
}

main().catch((e: unknown) => {
  console.error(`bench:lightgbm: ${(e as Error).message}`);
  process.exit(1);
});
