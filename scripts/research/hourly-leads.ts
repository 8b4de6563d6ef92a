// Research backtests of the hourly (1..48 h) model set. Not product code.
//   node scripts/research/hourly-leads.ts --data seoul [--recipe hourly|direct|lead-feature] [--retrain-every 365] [--split test|validate]
//   node scripts/research/hourly-leads.ts --data beijing [--sites Aotizhongxin,Changping|all] ...
// --retrain-every N: 365 (default) = ONE FIT at the start of the test period; N < test length = walk-forward
//   REFITS every N days on all data before each cutoff (what the daily-retraining product does).
// --split validate: the selection split, INSIDE the training period only (the test period is never
//   read): beijing trains 2015-03..2015-11 and validates on issue hours 2015-12..2016-02; seoul trains
//   2017-12..2018-05 and validates on 2018-06..08. Choices are made on it; --split test reports them.
// Recipe variants for the comparisons (applied on top of --recipe): --folds K (calibration folds),
//   --params '{"num_leaves":31}', --add-lead-features a,b, --add-issue-features a,b.
// seoul: data/seoul/SeoulBikeData.csv, train before 2018-09-01 KST, test issue hours 2018-09-01..2018-11-30 KST
//   (+ the last 14 days of November for the climatology comparison).
// beijing: data/beijing-multisite (read by a THROWAWAY loader below, until `nalssi import --map`
//   lands), train 2015-03..2016-02, test issue hours 2016-03-01..2017-02-26 (the last 48 h have no
//   48 h target). Sites that share a weather station have identical weather columns (see PROVENANCE).
import { readdirSync, readFileSync } from "node:fs";
import { loadLightGBM } from "../../src/model/lightgbm-wasm/node.ts";
import { runHourlyBacktest } from "../../src/model/hourly-backtest.ts";
import { emptyLeadTable, headline, type LeadTable, leadReport, pooledCoverage } from "../../src/model/lead-scores.ts";
import { DIRECT_RECIPE, HOURLY_RECIPE, LEAD_AS_FEATURE_RECIPE } from "../../src/model/hourly-recipes.ts";
import type { LeadRecipe } from "../../src/model/artifact.ts";
import type { HourlyObservation, HourlySeries } from "../../src/model/series.ts";
import { HOUR_MS, kstToUtc } from "../../src/model/series.ts";
import { parseSeoulBikeCsv } from "../../src/model/seoul-bike.ts";

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1]! : dflt;
};
const base = { hourly: HOURLY_RECIPE, direct: DIRECT_RECIPE, "lead-feature": LEAD_AS_FEATURE_RECIPE }[opt("recipe", "hourly")];
if (!base) throw new Error("--recipe must be hourly, direct or lead-feature");
const list = (name: string) => (opt(name, "") ? opt(name, "").split(",") : []);
const recipe: LeadRecipe = {
  ...base,
  calibrationFolds: Number(opt("folds", String(base.calibrationFolds))),
  params: { ...base.params, ...JSON.parse(opt("params", "{}")) },
  issueFeatures: [...base.issueFeatures, ...list("add-issue-features")],
  leadFeatures: [...base.leadFeatures, ...list("add-lead-features")],
};
const data = opt("data", "seoul");
const split = opt("split", "test");
if (split !== "test" && split !== "validate") throw new Error("--split must be test or validate");
const retrain = Number(opt("retrain-every", "365"));
const mode = `${split === "validate" ? "VALIDATION split inside training" : "TEST split"}; ${retrain >= 365 ? "one fit at the start" : `refit every ${retrain} days`}`;
console.log(
  `recipe ${recipe.name}, ${mode}; folds ${recipe.calibrationFolds}, params ${JSON.stringify(recipe.params)}, +issue [${list("add-issue-features")}], +lead [${list("add-lead-features")}]`,
);
const leads = Array.from({ length: 48 }, (_, k) => k + 1);
const lgb = await loadLightGBM();

const COMPASS = ["N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW"];
function loadBeijing(file: string): HourlySeries {
  const lines = readFileSync(file, "utf8").trim().split("\n");
  const head = lines[0]!.split(",");
  const col = (n: string) => head.indexOf(n);
  const num = (s: string | undefined) => (s === undefined || s === "NA" || s === "" ? null : Number(s));
  const obs: HourlyObservation[] = [];
  for (const line of lines.slice(1)) {
    const c = line.split(",");
    const time = Date.UTC(Number(c[col("year")]), Number(c[col("month")]) - 1, Number(c[col("day")]), Number(c[col("hour")])) - 8 * HOUR_MS;
    const wd = COMPASS.indexOf(c[col("wd")]!);
    obs.push({
      time,
      temperature: num(c[col("TEMP")]),
      pressure: num(c[col("PRES")]),
      dewPoint: num(c[col("DEWP")]),
      precipitation: num(c[col("RAIN")]),
      windSpeed: num(c[col("WSPM")]),
      windDirection: wd >= 0 ? wd * 22.5 : null,
    });
  }
  return { locationId: c0(file), observations: obs };
}
function c0(file: string) {
  return /PRSA_Data_(\w+?)_/.exec(file)?.[1] ?? file;
}

const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : "-");
function printLeads(title: string, t: LeadTable) {
  console.log(`\n== ${title} (recipe ${recipe.name}; ${mode})`);
  console.log("lead     n   model  pers  diurn  clim  ratio/p  ratio/best  cov80 w80   cov95 w95");
  const reps = leads.map((h) => leadReport(t, h));
  for (const r of reps) {
    if ([1, 2, 3, 6, 9, 12, 18, 24, 30, 36, 42, 48].includes(r.lead_hours) || argv.includes("--all-leads"))
      console.log(
        `${String(r.lead_hours).padStart(4)} ${String(r.n).padStart(5)}  ${f(r.model.rmse)} ${f(r.persistence.rmse)} ${f(r.diurnal_persistence.rmse)} ${f(r.climatology.rmse)}  ${f(1 - r.skill)}    ${f(1 - r.skill_vs_best_baseline)} ${r.best_baseline.slice(0, 5)}  ${f(r.interval80.coverage)} ${f(r.interval80.mean_width, 2)}  ${f(r.interval95.coverage)} ${f(r.interval95.mean_width, 2)}`,
      );
  }
  const p = pooledCoverage(t);
  const worse = reps.filter((r) => !(r.skill_vs_best_baseline > 0)).map((r) => r.lead_hours);
  const c80 = reps.map((r) => r.interval80.coverage);
  const c95 = reps.map((r) => r.interval95.coverage);
  const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
  console.log(
    `pooled: rmse ratio to persistence (mean over leads) ${f(mean(reps.map((r) => 1 - r.skill)))}; 24h ratio ${f(1 - reps[23]!.skill)}; leads not beating best baseline: ${worse.length ? worse.join(",") : "none"}`,
  );
  console.log(
    `coverage pooled 80% ${f(p.interval80.coverage)} 95% ${f(p.interval95.coverage)}; per-lead 80% ${f(Math.min(...c80))}..${f(Math.max(...c80))}, 95% ${f(Math.min(...c95))}..${f(Math.max(...c95))}`,
  );
  if (argv.includes("--scale-scan")) {
    // Pooled coverage if the residual quantiles were multiplied by s (the calibrationScale choice).
    const cov = (s: number, lo: number[], hi: number[]) =>
      t.observed.filter((o, i) => o >= t.model[i]! + s * (lo[i]! - t.model[i]!) && o <= t.model[i]! + s * (hi[i]! - t.model[i]!)).length / t.observed.length;
    for (const s of [0.88, 0.9, 0.92, 0.94, 0.96, 0.98, 1])
      console.log(`scale ${s.toFixed(2)}: cov80 ${f(cov(s, t.p10, t.p90))} cov95 ${f(cov(s, t.p025, t.p975))}`);
  }
  return reps;
}

function concat(ts: LeadTable[]): LeadTable {
  const out = emptyLeadTable();
  for (const t of ts) for (const k of Object.keys(out) as (keyof LeadTable)[]) for (const x of t[k]) out[k].push(x);
  return out;
}

const t0 = performance.now();
if (data === "seoul") {
  const series = parseSeoulBikeCsv(readFileSync(new URL("../../data/seoul/SeoulBikeData.csv", import.meta.url), "utf8"));
  const from = split === "validate" ? kstToUtc(2018, 6, 1) : kstToUtc(2018, 9, 1);
  const end = split === "validate" ? kstToUtc(2018, 9, 1) - 48 * HOUR_MS : kstToUtc(2018, 12, 1);
  const { table } = runHourlyBacktest(lgb, series, { from, to: end, retrainEveryDays: retrain, leads, recipe });
  printLeads(split === "validate" ? "Seoul bike VALIDATION 2018-06..08" : "Seoul bike 2018-09..11", table);
  const h = headline(table)!;
  console.log(
    `24 h: rmse ${f(h.model.rmse)} persistence ${f(h.persistence.rmse)} ratio ${f(h.model.rmse / h.persistence.rmse)} climatology ${f(h.climatology.rmse)}`,
  );
  // last 14 days of November: valid hours in 2018-11-17..12-01 KST at lead 24
  const last = { ...table };
  const idx = table.lead
    .map((_l, i) => i)
    .filter(
      (i) => table.lead[i] === 24 && table.issueTime[i]! + 24 * HOUR_MS >= kstToUtc(2018, 11, 17) && table.issueTime[i]! + 24 * HOUR_MS < kstToUtc(2018, 12, 1),
    );
  const rm = (a: number[]) => Math.sqrt(idx.reduce((s, i) => s + (a[i]! - table.observed[i]!) ** 2, 0) / idx.length);
  console.log(
    `last 14 days of November (valid times, n=${idx.length}): model ${f(rm(last.model))} climatology ${f(rm(last.climatology))} persistence ${f(rm(last.persistence))}`,
  );
} else {
  const dir = new URL("../../data/beijing-multisite/", import.meta.url).pathname;
  const files = readdirSync(dir)
    .filter((n) => n.endsWith(".csv"))
    .sort();
  const want = opt("sites", "Aotizhongxin");
  const chosen = want === "all" ? files : files.filter((n) => want.split(",").some((s) => n.includes(s)));
  const from = split === "validate" ? Date.UTC(2015, 11, 1) - 8 * HOUR_MS : Date.UTC(2016, 2, 1) - 8 * HOUR_MS;
  const to = (split === "validate" ? Date.UTC(2016, 2, 1) : Date.UTC(2017, 2, 1)) - 8 * HOUR_MS - 48 * HOUR_MS;
  const period = split === "validate" ? "VALIDATION 2015-12..2016-02" : "test 2016-03..2017-02";
  const tables: LeadTable[] = [];
  const summary: string[] = [];
  for (const file of chosen) {
    const series = loadBeijing(`${dir}${file}`);
    const { table } = runHourlyBacktest(lgb, series, { from, to, retrainEveryDays: retrain, leads, recipe });
    tables.push(table);
    const reps = printLeads(`Beijing ${series.locationId} ${period}`, table);
    const p = pooledCoverage(table);
    console.log(
      `SITE ${series.locationId.padEnd(14)} 24h ratio ${f(1 - reps[23]!.skill)}  worst lead ratio-to-best ${f(Math.max(...reps.map((r) => 1 - r.skill_vs_best_baseline)))}  cov80 ${f(p.interval80.coverage)} cov95 ${f(p.interval95.coverage)}`,
    );
    summary.push(
      `${series.locationId.padEnd(14)} 24h ratio ${f(1 - reps[23]!.skill)}  worst lead ratio-to-best ${f(Math.max(...reps.map((r) => 1 - r.skill_vs_best_baseline)))}  cov80 ${f(p.interval80.coverage)} cov95 ${f(p.interval95.coverage)}`,
    );
  }
  if (tables.length > 1) {
    printLeads(`Beijing pooled over sites, ${period}`, concat(tables));
    console.log(`\nper site:\n${summary.join("\n")}`);
  }
}
console.log(`\n(${((performance.now() - t0) / 1000).toFixed(1)} s)`);
