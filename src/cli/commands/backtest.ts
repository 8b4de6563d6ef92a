// `nalssi backtest`: the judge of every modelling choice. Walk-forward over [from, to): before each
// cutoff (every --retrain-every days) it fits the hourly model set (1..48 h) only on data before the
// cutoff, then forecasts every issue hour up to the next cutoff for each lead; it reports per lead the
// model against persistence, diurnal persistence, climatology and KMA, and the interval coverage.
// The top-level keys (n, model, persistence, climatology, kma, skill) are the 24 h lead's.
import type { Command } from "commander";
import { loadLightGBM } from "../../model/lightgbm-wasm/node.ts";
import { runHourlyBacktest } from "../../model/hourly-backtest.ts";
import { headline, leadReport, pooledCoverage, selectLeads } from "../../model/lead-scores.ts";
import { HOURLY_RECIPE } from "../../model/hourly-recipes.ts";
import { MAX_LEAD_HOURS } from "../../model/lead-features.ts";
import { kstToUtc } from "../../model/series.ts";
import { loadSeries } from "../../jobs/train/load-series.ts";
import { UsageError } from "../errors.ts";
import { configuredLocations, withLocationsOption } from "../locations-config.ts";
import { modelLocations } from "../model-locations.ts";
import { startProgress } from "../progress.ts";
import { DATA_DIR_HELP, withDataFolder } from "../registry-options.ts";
import { renderTable } from "../table.ts";
import { kstDate } from "../../time/kst.ts";

interface BacktestOpts {
  location: string;
  locations?: string;
  from: string;
  to?: string;
  retrainEvery: string;
  leads: string;
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

/** "1-48", "24", "1,3,6-12" -> sorted distinct leads in 1..48. */
export function parseLeads(value: string): number[] {
  const out = new Set<number>();
  for (const part of value.split(",")) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    const a = m ? Number(m[1]) : Number.NaN;
    const b = m?.[2] !== undefined ? Number(m[2]) : a;
    if (!m || a < 1 || b > MAX_LEAD_HOURS || b < a)
      throw new UsageError(`--leads must be hours or ranges in 1..${MAX_LEAD_HOURS} like 1-48 or 1,3,24, got ${JSON.stringify(value)}`);
    for (let h = a; h <= b; h++) out.add(h);
  }
  return [...out].sort((x, y) => x - y);
}

const f3 = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? "-" : x.toFixed(3));

async function backtest(opts: BacktestOpts): Promise<void> {
  const configured = configuredLocations(opts.locations);
  const from = kstDateOption("--from", opts.from);
  const retrain = Number(opts.retrainEvery);
  if (!(retrain > 0 && retrain <= 3650)) throw new UsageError(`--retrain-every must be a number of days > 0, got ${JSON.stringify(opts.retrainEvery)}`);
  const leads = parseLeads(opts.leads);
  // The top-level keys are the 24 h lead's, so 24 is always computed.
  const computed = leads.includes(24) ? leads : [...leads, 24].sort((x, y) => x - y);
  const maxLead = computed.at(-1)!;
  await withDataFolder(opts.dataDir, async ({ deps }) => {
    const [location] = await modelLocations(deps.db, [opts.location.trim()], configured);
    const series = await loadSeries(deps.db, location!, { before: new Date("9999-12-31T00:00:00Z") });
    const last = series.observations.at(-1);
    if (!last) throw new Error(`no observations for ${location}: import or backfill data first`);
    // Default end: the last issue hour whose longest requested lead is stored.
    const to = opts.to !== undefined ? kstDateOption("--to", opts.to) : last.time - (maxLead - 1) * 3_600_000;
    if (!(to > from)) throw new UsageError(`--to (${new Date(to).toISOString()}) must be after --from (${new Date(from).toISOString()})`);
    const lgb = await loadLightGBM();
    const folds = Math.ceil((to - from) / (retrain * 86_400_000));
    let done = 0;
    const progress = opts.json ? undefined : startProgress("backtest folds", folds);
    const { table, folds: foldReports } = runHourlyBacktest(lgb, series, {
      from,
      to,
      retrainEveryDays: retrain,
      leads: computed,
      recipe: HOURLY_RECIPE,
      onFold: (f) => progress?.update(++done, `fit before ${f.cutoff}: ${f.test_rows} forecasts`),
    });
    progress?.stop();
    const head = headline(table);
    if (!head) throw new Error(`no issue hour in ${new Date(from).toISOString()}..${new Date(to).toISOString()} has an observed T(t) and T(t+24h)`);
    const perLead = leads.map((h) => leadReport(table, h));
    const report = {
      kind: "walk-forward",
      recipe: HOURLY_RECIPE.name,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      retrain_every_days: retrain,
      horizon_hours: 24,
      ...head,
      pooled: pooledCoverage(selectLeads(table, leads)),
      leads: perLead,
      folds: foldReports,
    };
    if (opts.json) {
      console.log(JSON.stringify(report, null, 2));
      return;
    }
    console.log(
      `backtest ${location} ${report.from}..${report.to} (issue hours, UTC), recipe ${report.recipe}, refit every ${retrain} d (${foldReports.length} fits)`,
    );
    console.log(
      `24 h lead: n=${head.n}, model ${f3(head.model.rmse)} °C, persistence ${f3(head.persistence.rmse)}, climatology ${f3(head.climatology.rmse)}, skill ${head.skill.toFixed(3)} (95% interval ${head.skill_ci95.map((x) => x.toFixed(3)).join("..")})`,
    );
    console.log(
      renderTable(
        [
          { header: "LEAD h", align: "right" },
          { header: "N", align: "right" },
          { header: "MODEL", align: "right" },
          { header: "PERSIST.", align: "right" },
          { header: "DIURNAL", align: "right" },
          { header: "CLIM.", align: "right" },
          { header: "KMA", align: "right" },
          { header: "SKILL/BEST", align: "right" },
          { header: "COVER 80%", align: "right" },
          { header: "COVER 95%", align: "right" },
        ],
        perLead.map((r) => [
          String(r.lead_hours),
          String(r.n),
          f3(r.model.rmse),
          f3(r.persistence.rmse),
          f3(r.diurnal_persistence.rmse),
          f3(r.climatology.rmse),
          f3(r.kma?.rmse),
          r.skill_vs_best_baseline.toFixed(3),
          f3(r.interval80.coverage),
          f3(r.interval95.coverage),
        ]),
      ).join("\n"),
    );
    console.log(
      `RMSE in °C; SKILL/BEST = 1 - model / best of persistence, diurnal persistence and climatology; pooled cover 80% ${f3(report.pooled.interval80.coverage)}, 95% ${f3(report.pooled.interval95.coverage)}`,
    );
  });
}

export function registerBacktest(program: Command): void {
  const cmd = program
    .command("backtest")
    .description(
      "walk-forward backtest of the 1..48 h model set: train only on data before each cutoff, forecast every hour in [from, to) at each lead, compare with persistence, diurnal persistence, climatology and KMA, and score the 80 %/95 % intervals",
    )
    .requiredOption("--from <YYYY-MM-DD>", "first issue day (KST)")
    .option("--to <YYYY-MM-DD>", "end issue day, exclusive (KST; default: the last hour with an observed 24 h target)")
    .option("--location <id>", "location id: a configured one, or any id with observations in the database (with a note)", "seoul")
    .option("--retrain-every <days>", "refit every N days", "30")
    .option("--leads <list>", "lead hours to report, e.g. 1-48 or 1,3,24 (the top-level keys are always the 24 h lead's)", "1-48")
    .option("--json", "print the report as JSON (keys documented in the README)")
    .option("--data-dir <dir>", DATA_DIR_HELP, "./.nalssi")
    .action((opts: BacktestOpts) => backtest(opts));
  withLocationsOption(cmd);
}
