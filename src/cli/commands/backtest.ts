// `nalssi backtest`: the judge of every modelling choice. Walk-forward over [from, to): before each
// cutoff (every --retrain-every days) it fits only on data before the cutoff, then forecasts every
// issue hour up to the next cutoff; it reports the model against persistence, climatology and KMA.
import type { Command } from "commander";
import { DEFAULT_RECIPE } from "../../model/features-recipes.ts";
import { loadLightGBM } from "../../model/lightgbm-wasm/node.ts";
import { runBacktest } from "../../model/backtest.ts";
import { kstToUtc } from "../../model/series.ts";
import { loadSeries } from "../../jobs/train/load-series.ts";
import { UsageError } from "../errors.ts";
import { locationOption } from "../job-setup.ts";
import { startProgress } from "../progress.ts";
import { DATA_DIR_HELP, withDataFolder } from "../registry-options.ts";
import { renderTable } from "../table.ts";
import { kstDate } from "../../time/kst.ts";

interface BacktestOpts {
  location: string;
  from: string;
  to?: string;
  retrainEvery: string;
  json?: boolean;
  dataDir: string;
}

/** A KST date (YYYY-MM-DD) as the UTC instant of its 00:00 KST. */
function kstDateOption(name: string, value: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const t = m ? kstToUtc(Number(m[1]), Number(m[2]), Number(m[3]), 0) : Number.NaN;
  if (!m || Number.isNaN(t) || kstDate(t) !== value) {
    throw new UsageError(`${name} must be a date YYYY-MM-DD (KST), got ${JSON.stringify(value)}`);
  }
  return t;
}

const f3 = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? "-" : x.toFixed(3));

async function backtest(opts: BacktestOpts): Promise<void> {
  const location = locationOption(opts.location).id;
  const from = kstDateOption("--from", opts.from);
  const retrain = Number(opts.retrainEvery);
  if (!(retrain > 0 && retrain <= 3650)) throw new UsageError(`--retrain-every must be a number of days > 0, got ${JSON.stringify(opts.retrainEvery)}`);
  await withDataFolder(opts.dataDir, async ({ deps }) => {
    const series = await loadSeries(deps.db, location, { before: new Date("9999-12-31T00:00:00Z") });
    const last = series.observations.at(-1);
    if (!last) throw new Error(`no observations for ${location}: import or backfill data first`);
    // Default end: the last issue hour whose 24 h target is stored.
    const to = opts.to !== undefined ? kstDateOption("--to", opts.to) : last.time - 23 * 3_600_000;
    if (!(to > from)) throw new UsageError(`--to (${new Date(to).toISOString()}) must be after --from (${new Date(from).toISOString()})`);
    const lgb = await loadLightGBM();
    const folds = Math.ceil((to - from) / (retrain * 86_400_000));
    let done = 0;
    const progress = opts.json ? undefined : startProgress("backtest folds", folds);
    const { report } = runBacktest(lgb, series, { from, to, retrainEveryDays: retrain, recipe: DEFAULT_RECIPE, onFold: (f) => progress?.update(++done, `fit before ${f.cutoff}: ${f.train_rows} rows, ${f.test_rows} forecasts`) });
    progress?.stop();
    if (opts.json) {
      console.log(JSON.stringify(report, null, 2));
      return;
    }
    console.log(`backtest ${location} ${report.from}..${report.to} (issue hours, UTC), recipe ${report.recipe}, refit every ${retrain} d (${report.folds.length} fits), n=${report.n}`);
    const row = (name: string, s: { rmse: number; mae: number } | null) => [name, f3(s?.rmse), f3(s?.mae)];
    console.log(
      renderTable(
        [{ header: "FORECAST" }, { header: "RMSE °C", align: "right" }, { header: "MAE °C", align: "right" }],
        [row("model", report.model), row("persistence", report.persistence), row("climatology", report.climatology), row("kma", report.kma)],
      ).join("\n"),
    );
    console.log(`skill vs persistence ${report.skill.toFixed(3)} (95% interval ${report.skill_ci95.map((x) => x.toFixed(3)).join("..")})`);
    console.log(
      renderTable(
        [{ header: "MONTH (KST)" }, { header: "N", align: "right" }, { header: "MODEL", align: "right" }, { header: "PERSISTENCE", align: "right" }, { header: "SKILL", align: "right" }],
        report.by_month.map((m) => [m.month, String(m.n), f3(m.model.rmse), f3(m.persistence.rmse), m.skill.toFixed(3)]),
      ).join("\n"),
    );
  });
}

export function registerBacktest(program: Command): void {
  program
    .command("backtest")
    .description("walk-forward backtest: train only on data before each cutoff, forecast every hour in [from, to), compare with persistence, climatology and KMA")
    .requiredOption("--from <YYYY-MM-DD>", "first issue day (KST)")
    .option("--to <YYYY-MM-DD>", "end issue day, exclusive (KST; default: the last hour with an observed 24 h target)")
    .option("--location <id>", "location id", "seoul")
    .option("--retrain-every <days>", "refit every N days", "30")
    .option("--json", "print the report as JSON (keys documented in the README)")
    .option("--data-dir <dir>", DATA_DIR_HELP, "./.nalssi")
    .action((opts: BacktestOpts) => backtest(opts));
}
