// `nalssi lightgbm train|predict`: LightGBM for people who know LightGBM, on CSV files, with
// LightGBM's own parameter names (key=value) and the same trees as native LightGBM.
import type { Command } from "commander";
import { parseCsvMatrix } from "../../model/lightgbm-wasm/csv-matrix.ts";
import type { Logger, LogLevel } from "../../model/lightgbm-wasm/lightgbm.ts";
import { loadLightGBM } from "../../model/lightgbm-wasm/node.ts";
import { parseParams } from "../../model/lightgbm-wasm/params.ts";
import { UsageError } from "../errors.ts";
import { readText, writeTextAtomic } from "../files.ts";

/** LightGBM CLI parameters about files and tasks: here they are command options instead. */
const FILE_PARAMS: Record<string, string> = {
  task: "use `nalssi lightgbm train` or `nalssi lightgbm predict`",
  data: "give the training CSV as the first argument",
  valid: "use --valid <file.csv>",
  output_model: "use --output <model.txt>",
  input_model: "use --model <model.txt>",
  output_result: "use --output <predictions.txt>",
  label_column: "use --label <column>",
  header: "CSV files always have a header",
};

function stderrLogger(): Logger {
  // Fatal messages come back as the thrown error, printed once by the CLI.
  return (level: LogLevel, message: string) => {
    if (level !== "fatal") process.stderr.write(`[LightGBM] [${level}] ${message}\n`);
  };
}

function params(tokens: string[], lgb: Awaited<ReturnType<typeof loadLightGBM>>): Record<string, string> {
  let p: Record<string, string>;
  try {
    p = parseParams(tokens);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  for (const k of Object.keys(p)) {
    const canonical = lgb.aliases().resolve(k) ?? k;
    const hint = FILE_PARAMS[canonical];
    if (hint) throw new UsageError(`parameter ${k}: ${hint}`);
  }
  try {
    lgb.checkParams(p);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return p;
}

interface TrainOpts {
  label: string;
  output: string;
  valid?: string;
  json?: boolean;
}

async function train(dataPath: string, tokens: string[], opts: TrainOpts): Promise<void> {
  const started = performance.now();
  const lgb = await loadLightGBM({ logger: stderrLogger() });
  const p = params(tokens, lgb);
  const m = parseCsvMatrix(await readText(dataPath, "data file"), { label: opts.label, source: dataPath });
  const ds = lgb.createDataset({ data: m.data, numRows: m.numRows, numCols: m.numCols, label: m.label!, featureNames: m.featureNames, params: p });
  const valid = [];
  try {
    if (opts.valid) {
      const v = parseCsvMatrix(await readText(opts.valid, "validation file"), { label: opts.label, source: opts.valid });
      if (v.featureNames.join(",") !== m.featureNames.join(",")) {
        throw new UsageError(`${opts.valid} has columns ${v.featureNames.join(", ")}; expected the training file's ${m.featureNames.join(", ")}`);
      }
      valid.push({
        name: "valid",
        data: lgb.createDataset({ data: v.data, numRows: v.numRows, numCols: v.numCols, label: v.label!, reference: ds, params: p }),
      });
    }
    const r = lgb.train({
      params: p,
      train: ds,
      valid,
      onIteration: (info) => {
        if (info.evals.length && Number(p.verbosity ?? 1) > 0) {
          process.stderr.write(`[${info.iteration}] ${info.evals.map((e) => `${e.dataset} ${e.metric}: ${e.value.toPrecision(6)}`).join("  ")}\n`);
        }
      },
    });
    const text = r.booster.saveModel();
    r.booster.free();
    await writeTextAtomic(opts.output, text);
    const summary = {
      model: opts.output,
      rows: m.numRows,
      features: m.numCols,
      iterations: r.iterations,
      best_iteration: r.bestIteration,
      stopped_early: r.stoppedEarly,
      best_scores: Object.fromEntries(r.bestScores.map((e) => [`${e.dataset}.${e.metric}`, e.value])),
      seconds: Number(((performance.now() - started) / 1000).toFixed(3)),
    };
    if (opts.json) console.log(JSON.stringify(summary));
    else {
      const best = r.stoppedEarly ? `, best iteration ${r.bestIteration}` : "";
      console.log(`trained ${r.iterations} iterations${best} on ${m.numRows} rows x ${m.numCols} features in ${summary.seconds} s -> ${opts.output}`);
    }
  } finally {
    for (const v of valid) v.data.free();
    ds.free();
  }
}

interface PredictOpts {
  model: string;
  output: string;
}

async function predict(dataPath: string, opts: PredictOpts): Promise<void> {
  const lgb = await loadLightGBM({ logger: stderrLogger() });
  const booster = lgb.loadModel(await readText(opts.model, "model file"));
  try {
    const names = booster.featureNames();
    const m = parseCsvMatrix(await readText(dataPath, "data file"), { source: dataPath });
    // Columns by the model's feature names when the header has them all (extra columns such as the
    // label are ignored); otherwise by position when the count matches, as LightGBM's CLI does.
    let data = m.data;
    const byName = names.map((n) => m.featureNames.indexOf(n));
    if (byName.every((i) => i >= 0)) {
      if (byName.some((c, j) => c !== j) || m.numCols !== names.length) {
        data = new Float64Array(m.numRows * names.length);
        for (let r = 0; r < m.numRows; r++) byName.forEach((c, j) => (data[r * names.length + j] = m.data[r * m.numCols + c]!));
      }
    } else if (m.numCols !== names.length) {
      const missing = names.filter((_, j) => byName[j]! < 0);
      throw new Error(`${dataPath} lacks the model's features ${missing.join(", ")} (the model has ${names.length} features, the file ${m.numCols} columns)`);
    }
    const pred = booster.predict(data, m.numRows, names.length);
    const perRow = pred.length / m.numRows;
    const lines: string[] = [];
    for (let r = 0; r < m.numRows; r++) lines.push(Array.from(pred.subarray(r * perRow, (r + 1) * perRow), String).join("\t"));
    await writeTextAtomic(opts.output, `${lines.join("\n")}\n`);
    console.log(`predicted ${m.numRows} rows -> ${opts.output}`);
  } finally {
    booster.free();
  }
}

export function registerLightGBM(program: Command): void {
  const lgbm = program.command("lightgbm").description("train and predict with LightGBM (WebAssembly build, same trees as native LightGBM)");
  lgbm
    .command("train")
    .description("train a model on a CSV file; LightGBM parameters as key=value (e.g. objective=regression num_leaves=31)")
    .argument("<data.csv>", "CSV with a header; every column but the label is a feature, in file order; empty cells are missing values")
    .argument("[params...]", "LightGBM parameters as key=value, with LightGBM's names and aliases")
    .requiredOption("--label <column>", "the label column")
    .requiredOption("-o, --output <model.txt>", "where to write the model (LightGBM text format)")
    .option("--valid <file.csv>", "validation CSV (same columns) for evaluation and early_stopping_round")
    .option("--json", "print the summary as JSON")
    .addHelpText(
      "after",
      "\nExample:\n  nalssi lightgbm train data.csv --label y --output model.txt objective=regression num_leaves=31 \\\n    learning_rate=0.05 num_iterations=300 deterministic=true force_row_wise=true num_threads=1 seed=7",
    )
    .action((data: string, tokens: string[], opts: TrainOpts) => train(data, tokens, opts));
  lgbm
    .command("predict")
    .description("predict a CSV file with a LightGBM model; one prediction per line")
    .argument("<data.csv>", "CSV with a header; columns are matched to the model's feature names (or by position)")
    .requiredOption("-m, --model <model.txt>", "model in LightGBM text format (ours or Python/CLI LightGBM 4.x)")
    .requiredOption("-o, --output <predictions.txt>", "where to write the predictions")
    .action((data: string, opts: PredictOpts) => predict(data, opts));
}
