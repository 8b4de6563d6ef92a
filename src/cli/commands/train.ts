// `nalssi train`: the daily training pipeline once (check data -> build dataset -> train -> evaluate
// -> register -> promote -> notify serving), in-process, recorded like the scheduled runs.
import type { Command } from "commander";
import { runTraining } from "../../jobs/train/run-training.ts";
import { trainingPipeline } from "../../jobs/train/pipeline.ts";
import { LeaseHeldError } from "../../jobs/pipeline/lease.ts";
import { loadLightGBM } from "../../model/lightgbm-wasm/node.ts";
import { UsageError } from "../errors.ts";
import { configuredLocations, withLocationsOption } from "../locations-config.ts";
import { modelLocations, parseLocationList } from "../model-locations.ts";
import type { OpenedJobs } from "../job-setup.ts";
import { runPooledTraining } from "../../jobs/train/pooled-train.ts";
import { trainingDeps } from "../../jobs/train/run-training.ts";
import { kstDate } from "../../jobs/train/pipeline.ts";
import { stationByNumber } from "../../locations/asos-catalog.ts";
import type { Location } from "../../locations/locations.ts";
import { newestObservation, replayRunDate } from "../start/prepare.ts";
import type { Logger } from "../../ports/logger.ts";
import { DATA_DIR_HELP, withDataFolder } from "../registry-options.ts";
import { progressExecutor } from "../pipeline-progress.ts";
import { formatDuration, renderTable } from "../table.ts";
import pkg from "../../../package.json" with { type: "json" };

interface TrainOpts {
  location?: string;
  allConfigured?: boolean;
  pooled?: boolean;
  maxRows?: string;
  locations?: string;
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
  if (opts.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.date))
    throw new UsageError(`--date must be YYYY-MM-DD (a KST date), got ${JSON.stringify(opts.date)}`);
  const holdoutDays = opts.holdoutDays === undefined ? undefined : Number(opts.holdoutDays);
  if (holdoutDays !== undefined && !(Number.isInteger(holdoutDays) && holdoutDays >= 1 && holdoutDays <= 365)) {
    throw new UsageError(`--holdout-days must be a whole number from 1 to 365, got ${JSON.stringify(opts.holdoutDays)}`);
  }
  if (opts.allConfigured && opts.location !== undefined) throw new UsageError("--location and --all-configured exclude each other");
  const configured = configuredLocations(opts.locations);
  const failures = await withDataFolder(opts.dataDir, async (opened) => {
    const ids = opts.allConfigured
      ? configured.map((l) => l.id)
      : await modelLocations(opened.deps.db, parseLocationList(opts.location ?? "seoul"), configured);
    if (opts.pooled) return trainPooled(opened, ids, configured, opts, holdoutDays);
    // One after the other: a laptop has few cores, and each run already uses one fully.
    const failed: string[] = [];
    for (const location of ids) {
      const r = await trainOne(opened, location, opts, holdoutDays);
      if (r.run.status !== "succeeded")
        failed.push(
          `training run ${r.run.id}${ids.length > 1 ? ` for ${location}` : ""} failed at step ${r.run.errorStep}${opts.json ? `: ${r.run.errorMessage}` : " (above)"}${r.hint}`,
        );
    }
    return failed;
  });
  // A failed run is a failure of the command (exit 1), after every location's steps were shown (the
  // table already gives the error; with --json, this line does).
  if (failures.length) throw new Error(failures.join("; "));
}

/** `--pooled`: one model set over the locations, a version per location, the gate per location (src/jobs/train/pooled-train.ts). */
async function trainPooled(
  opened: OpenedJobs,
  ids: string[],
  configured: readonly Location[],
  opts: TrainOpts,
  holdoutDays: number | undefined,
): Promise<string[]> {
  const maxRows = opts.maxRows === undefined ? undefined : Number(opts.maxRows);
  if (maxRows !== undefined && !(Number.isInteger(maxRows) && maxRows >= 1000))
    throw new UsageError(`--max-rows must be a whole number >= 1000, got ${JSON.stringify(opts.maxRows)}`);
  // Altitude: the ASOS station's, when the location is that station (a custom point's is unknown).
  const altitudeOf = (l: Location) => {
    const st = l.asosStationId !== undefined ? stationByNumber(l.asosStationId) : undefined;
    return st && st.lat === l.lat && st.lon === l.lon ? st.altitudeM : null;
  };
  const positions = Object.fromEntries(configured.map((l) => [l.id, { lat: l.lat, lon: l.lon, altitude: altitudeOf(l) }]));
  const deps = trainingDeps({
    ...opened.deps,
    loadLightGBM: () => loadLightGBM(),
    code: { packageVersion: pkg.version, gitCommit: null },
    ...(holdoutDays ? { holdoutDays } : {}),
  });
  const runDate = opts.date ?? kstDate(new Date());
  const r = await runPooledTraining(deps, { locations: ids, runDate, positions, ...(maxRows ? { maxRowsPerGroup: maxRows } : {}) });
  if (opts.json) {
    console.log(JSON.stringify(r, null, 2));
  } else {
    console.log(`pooled training over ${ids.length} locations (date ${runDate}), rows per lead group ${r.rowsPerGroup.join("/")}`);
    console.log(
      renderTable(
        [
          { header: "LOCATION" },
          { header: "VERSION" },
          { header: "CLIMATOLOGY" },
          { header: "RMSE 24H", align: "right" },
          { header: "PERSIST.", align: "right" },
          { header: "PRODUCTION" },
          { header: "WHY" },
        ],
        r.results.map((x) => [
          x.location,
          x.version ?? "-",
          x.climatology,
          x.rmse24?.toFixed(3) ?? "-",
          x.persistence24?.toFixed(3) ?? "-",
          x.promoted ? "pooled" : "unchanged",
          x.reason,
        ]),
      ).join("\n"),
    );
  }
  return r.results.filter((x) => x.version === null).map((x) => `${x.location}: ${x.reason}`);
}

async function trainOne(opened: OpenedJobs, location: string, opts: TrainOpts, holdoutDays: number | undefined) {
  const deps = { ...opened.deps, logger: withoutRunFailureLine(opened.deps.logger) };
  let run;
  const progress = progressExecutor(
    `train ${location}`,
    trainingPipeline().steps.map((s) => s.name),
    { logger: deps.logger },
  );
  try {
    run = await runTraining(
      { ...deps, loadLightGBM: () => loadLightGBM(), code: { packageVersion: pkg.version, gitCommit: null }, ...(holdoutDays ? { holdoutDays } : {}) },
      // a run whose process was killed holds the lease until it expires (<= 60 s): wait for that
      { location, ...(opts.date ? { runDate: opts.date } : {}), trigger: "cli", waitForLeaseMs: 90_000 },
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
    if (date !== null && date < run.runDate)
      hint = `; to train on the data up to its newest observation, run \`nalssi train --date ${date}\` (the KST day after it)`;
  }
  if (opts.json) {
    console.log(JSON.stringify(run, null, 2));
    return { run, hint };
  }
  console.log(
    `training run ${run.id} for ${location} (date ${run.runDate}): ${run.status}${run.durationMs !== null ? ` in ${formatDuration(run.durationMs)}` : ""}`,
  );
  console.log(
    renderTable(
      [{ header: "STEP" }, { header: "STATUS" }, { header: "TRIES", align: "right" }, { header: "TIME", align: "right" }, { header: "RESULT" }],
      run.steps.map((s) => [
        s.step,
        s.status,
        String(s.attempts),
        formatDuration(s.durationMs),
        s.status === "failed" ? `${s.errorClass}: ${s.errorMessage}` : summary(s.output),
      ]),
    ).join("\n"),
  );
  return { run, hint };
}

export function registerTrain(program: Command): void {
  const cmd = program
    .command("train")
    .description("run the training pipeline once: check data, build dataset, train, evaluate vs persistence, register, promote (gate), notify serving")
    .option(
      "--location <ids>",
      "location id, or several separated by commas (trained one after the other): configured ones, or any id with observations in the database (with a note) (default: seoul)",
    )
    .option("--all-configured", "train every configured location, one after the other")
    .option(
      "--pooled",
      "one model set over all the given locations (with station descriptors), registered per location; the gate decides per location whether it replaces production",
    )
    .option("--max-rows <n>", "with --pooled: training rows per lead group (issue hours sampled; default 40000)")
    .option("--date <YYYY-MM-DD>", "logical date (KST); uses only data before 00:00 KST that day (default: today)")
    .option("--holdout-days <n>", "days of the most recent issue hours held out for evaluation (default 14)")
    .option("--json", "print the recorded run (steps, outputs) as JSON")
    .option("--data-dir <dir>", DATA_DIR_HELP, "./.nalssi")
    .action((opts: TrainOpts) => train(opts));
  withLocationsOption(cmd);
}
