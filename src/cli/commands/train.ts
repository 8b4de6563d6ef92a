// `nalssi train`: the daily training pipeline once (check data -> build dataset -> train -> evaluate
// -> register -> promote -> notify serving), in-process, recorded like the scheduled runs.
import type { Command } from "commander";
import { runTraining } from "../../jobs/train/run-training.ts";
import { trainingPipeline } from "../../jobs/train/pipeline.ts";
import { LeaseHeldError } from "../../jobs/pipeline/lease.ts";
import { loadLightGBM } from "../../model/lightgbm-wasm/node.ts";
import { UsageError } from "../errors.ts";
import { locationOption } from "../job-setup.ts";
import { newestObservation, replayRunDate } from "../start/prepare.ts";
import type { Logger } from "../../ports/logger.ts";
import { DATA_DIR_HELP, withDataFolder } from "../registry-options.ts";
import { progressExecutor } from "../pipeline-progress.ts";
import { formatDuration, renderTable } from "../table.ts";
import pkg from "../../../package.json" with { type: "json" };

interface TrainOpts {
  location: string;
  date?: string;
  holdoutDays?: string;
  json?: boolean;
  dataDir: string;
}

function summary(o: Record<string, unknown> | null): string {
  if (!o) return "";
  return Object.entries(o)
    .filter(([, v]) => v !== null && typeof v !== "object")
    .map(([k, v]) => `${k}=${typeof v === "number" && !Number.isInteger(v) ? Number(v.toPrecision(4)) : v}`)
    .join(" ");
}

/** The CLI shows a failed run itself (its steps, then one line): the runner's own "pipeline run failed" log line would repeat it. */
function withoutRunFailureLine(logger: Logger): Logger {
  return { ...logger, error: (message, fields) => (message === "pipeline run failed" ? undefined : logger.error(message, fields)) };
}

async function train(opts: TrainOpts): Promise<void> {
  const location = locationOption(opts.location).id;
  if (opts.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.date)) throw new UsageError(`--date must be YYYY-MM-DD (a KST date), got ${JSON.stringify(opts.date)}`);
  const holdoutDays = opts.holdoutDays === undefined ? undefined : Number(opts.holdoutDays);
  if (holdoutDays !== undefined && !(Number.isInteger(holdoutDays) && holdoutDays >= 1 && holdoutDays <= 365)) {
    throw new UsageError(`--holdout-days must be a whole number from 1 to 365, got ${JSON.stringify(opts.holdoutDays)}`);
  }
  const { run, hint } = await withDataFolder(opts.dataDir, async ({ deps: opened }) => {
    const deps = { ...opened, logger: withoutRunFailureLine(opened.logger) };
    let run;
    const progress = progressExecutor(`train ${location}`, trainingPipeline().steps.map((s) => s.name), { logger: deps.logger });
    try {
      run = await runTraining(
        { ...deps, loadLightGBM: () => loadLightGBM(), code: { packageVersion: pkg.version, gitCommit: null }, ...(holdoutDays ? { holdoutDays } : {}) },
        { location, ...(opts.date ? { runDate: opts.date } : {}), trigger: "cli" },
        progress.executor,
      );
    } catch (e) {
      if (e instanceof LeaseHeldError) throw new Error(`a training run for ${location} is already running (${e.message})`);
      throw e;
    } finally {
      progress.stop();
    }
    // Data that ends long before the run date (the bundled 2018 year, a replay): say which date trains on it.
    let hint = "";
    if (run.status !== "succeeded" && run.errorStep === "check_data") {
      const newest = await newestObservation(deps.db, location);
      const date = newest === null ? null : replayRunDate(newest);
      if (date !== null && date < run.runDate) hint = `; to train on the data up to its newest observation, run \`nalssi train --date ${date}\` (the KST day after it)`;
    }
    if (opts.json) {
      console.log(JSON.stringify(run, null, 2));
      return { run, hint };
    }
    console.log(`training run ${run.id} for ${location} (date ${run.runDate}): ${run.status}${run.durationMs !== null ? ` in ${formatDuration(run.durationMs)}` : ""}`);
    console.log(
      renderTable(
        [{ header: "STEP" }, { header: "STATUS" }, { header: "TRIES", align: "right" }, { header: "TIME", align: "right" }, { header: "RESULT" }],
        run.steps.map((s) => [s.step, s.status, String(s.attempts), formatDuration(s.durationMs), s.status === "failed" ? `${s.errorClass}: ${s.errorMessage}` : summary(s.output)]),
      ).join("\n"),
    );
    return { run, hint };
  });
  // A failed run is a failure of the command (exit 1), after its steps were shown (the table already
  // gives the error; with --json, this line does).
  if (run.status !== "succeeded") throw new Error(`training run ${run.id} failed at step ${run.errorStep}${opts.json ? `: ${run.errorMessage}` : " (above)"}${hint}`);
}

export function registerTrain(program: Command): void {
  program
    .command("train")
    .description("run the training pipeline once: check data, build dataset, train, evaluate vs persistence, register, promote (gate), notify serving")
    .option("--location <id>", "location id", "seoul")
    .option("--date <YYYY-MM-DD>", "logical date (KST); uses only data before 00:00 KST that day (default: today)")
    .option("--holdout-days <n>", "days of the most recent issue hours held out for evaluation (default 14)")
    .option("--json", "print the recorded run (steps, outputs) as JSON")
    .option("--data-dir <dir>", DATA_DIR_HELP, "./.nalssi")
    .action((opts: TrainOpts) => train(opts));
}
