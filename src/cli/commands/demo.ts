// `nalssi demo`: the main job until the full pipeline lands. Trains LightGBM (WebAssembly) on real
// Seoul hourly weather to forecast the temperature 24 h ahead, and scores it honestly on the last
// 20 % of the hours against persistence ("the same as now"), the baseline a forecast must beat.
import type { Command } from "commander";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { parseCsvMatrix } from "../../model/lightgbm-wasm/csv-matrix.ts";
import * as fixture from "../../model/lightgbm-wasm/fixtures/seoul-bike.fixture.ts";
import { loadLightGBM } from "../../model/lightgbm-wasm/node.ts";
import { writeTextAtomic } from "../files.ts";

interface DemoOpts {
  dataDir: string;
  json?: boolean;
}

function rows(data: Float64Array, cols: number, from: number, to: number) {
  return data.subarray(from * cols, to * cols);
}

function rmse(pred: ArrayLike<number>, truth: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < truth.length; i++) s += (pred[i]! - truth[i]!) ** 2;
  return Math.sqrt(s / truth.length);
}

async function demo(opts: DemoOpts): Promise<void> {
  const started = performance.now();
  const lgb = await loadLightGBM();
  const m = parseCsvMatrix(fixture.csv, { label: fixture.label, source: "seoul-bike sample" });
  // Trees cannot extrapolate to a season they have not seen, so the model learns the 24 h change
  // T(t+24h) - T(t) and adds it to the current temperature.
  const tempCol = m.featureNames.indexOf("temperature");
  const level = m.label!;
  const label = level.map((v, i) => v - m.data[i * m.numCols + tempCol]!);
  // Time-ordered split: 70 % train, 10 % validation (early stopping), 20 % holdout never seen in training.
  const nTrain = Math.floor(m.numRows * 0.7);
  const nValid = Math.floor(m.numRows * 0.1);
  const holdFrom = nTrain + nValid;
  const params = {
    objective: "regression",
    learning_rate: 0.05,
    num_leaves: 15,
    min_data_in_leaf: 20,
    num_iterations: 1000,
    early_stopping_round: 50,
    deterministic: true,
    force_row_wise: true,
    num_threads: 1,
    seed: 7,
    verbosity: -1,
  };
  const train = lgb.createDataset({
    data: rows(m.data, m.numCols, 0, nTrain),
    numRows: nTrain,
    numCols: m.numCols,
    label: label.subarray(0, nTrain),
    featureNames: m.featureNames,
    params,
  });
  const valid = lgb.createDataset({
    data: rows(m.data, m.numCols, nTrain, holdFrom),
    numRows: nValid,
    numCols: m.numCols,
    label: label.subarray(nTrain, holdFrom),
    reference: train,
    params,
  });
  const r = lgb.train({ params, train, valid: [{ name: "valid", data: valid }] });
  const nHold = m.numRows - holdFrom;
  const truth = level.subarray(holdFrom);
  const persistence = Array.from({ length: nHold }, (_, i) => m.data[(holdFrom + i) * m.numCols + tempCol]!);
  const pred = r.booster.predict(rows(m.data, m.numCols, holdFrom, m.numRows), nHold, m.numCols).map((d, i) => d + persistence[i]!);
  const model = rmse(pred, truth);
  const base = rmse(persistence, truth);
  await mkdir(opts.dataDir, { recursive: true });
  const modelPath = join(opts.dataDir, "demo-model.txt");
  await writeTextAtomic(modelPath, r.booster.saveModel());
  r.booster.free();
  valid.free();
  train.free();
  const report = {
    data: "Seoul hourly weather, 2017-12-01.. (UCI Seoul Bike Sharing Demand, CC BY 4.0), first 2,000 hours",
    target: "temperature 24 h ahead (°C), learnt as the 24 h change",
    train_rows: nTrain,
    holdout_rows: nHold,
    best_iteration: r.bestIteration,
    model_rmse: Number(model.toFixed(3)),
    persistence_rmse: Number(base.toFixed(3)),
    skill: Number((1 - model / base).toFixed(3)),
    model_file: modelPath,
    seconds: Number(((performance.now() - started) / 1000).toFixed(2)),
  };
  if (opts.json) console.log(JSON.stringify(report));
  else {
    console.log(`nalssi demo: LightGBM (WebAssembly) forecasting Seoul's temperature 24 h ahead`);
    console.log(`  trained on ${nTrain} hours (best iteration ${r.bestIteration}), scored on the next ${nHold} hours it never saw`);
    console.log(`  RMSE model ${report.model_rmse} °C, persistence ${report.persistence_rmse} °C, skill ${report.skill}`);
    console.log(`  model written to ${modelPath} (${report.seconds} s)`);
  }
}

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("train LightGBM on bundled real Seoul data and score it against persistence (no network needed)")
    .option("--data-dir <dir>", "where to write the model", ".nalssi")
    .option("--json", "print the report as JSON")
    .action((opts: DemoOpts) => demo(opts));
}
