// Verified forecasts by lead and their scores: the table of (issue hour, lead) forecasts with the
// baselines beside them, and per lead the RMSE/MAE/bias, skill against persistence and the best
// baseline, and the coverage and mean width of the 80 % and 95 % intervals. Training scores its
// candidate and the production model with these (jobs/train/hourly-steps.ts); the walk-forward
// backtest (hourly-backtest.ts) fills the same table.
import type { RowForecasts } from "./hourly-model.ts";
import { type ErrorStats, errorStats, type ForecastTable, skillInterval, verify } from "./metrics.ts";
import type { LeadRows } from "./multilead-dataset.ts";

/** Every verified (issue hour, lead) forecast. */
export interface LeadTable {
  issueTime: number[];
  lead: number[];
  observed: number[];
  model: number[];
  persistence: number[];
  diurnal: number[];
  climatology: number[];
  kma: number[];
  p025: number[];
  p10: number[];
  p90: number[];
  p975: number[];
}

export interface IntervalScore {
  coverage: number;
  mean_width: number;
}

export interface LeadReport {
  lead_hours: number;
  n: number;
  model: { rmse: number; mae: number; bias: number };
  persistence: { rmse: number };
  diurnal_persistence: { rmse: number };
  climatology: { rmse: number };
  kma: { rmse: number; n: number } | null;
  interval80: IntervalScore;
  interval95: IntervalScore;
  /** 1 - rmse/persistence rmse; and against the best of persistence, diurnal persistence, climatology. */
  skill: number;
  skill_vs_best_baseline: number;
  best_baseline: "persistence" | "diurnal_persistence" | "climatology";
}

export function emptyLeadTable(): LeadTable {
  return { issueTime: [], lead: [], observed: [], model: [], persistence: [], diurnal: [], climatology: [], kma: [], p025: [], p10: [], p90: [], p975: [] };
}

/** Appends lead rows and their forecasts to a table. */
export function appendForecasts(table: LeadTable, rows: LeadRows, f: RowForecasts): LeadTable {
  for (let r = 0; r < rows.numRows; r++) {
    table.issueTime.push(rows.issueTime[r]!);
    table.lead.push(rows.lead[r]!);
    table.observed.push(rows.target[r]!);
    table.model.push(f.point[r]!);
    table.persistence.push(rows.current[r]!);
    table.diurnal.push(rows.diurnal[r]!);
    table.climatology.push(rows.climatology[r]!);
    table.kma.push(rows.kma[r]!);
    table.p025.push(f.p025[r]!);
    table.p10.push(f.p10[r]!);
    table.p90.push(f.p90[r]!);
    table.p975.push(f.p975[r]!);
  }
  return table;
}

function intervalScore(obs: number[], lo: number[], hi: number[]): IntervalScore {
  let inside = 0;
  let width = 0;
  for (let i = 0; i < obs.length; i++) {
    if (obs[i]! >= lo[i]! && obs[i]! <= hi[i]!) inside++;
    width += hi[i]! - lo[i]!;
  }
  return { coverage: obs.length ? inside / obs.length : Number.NaN, mean_width: obs.length ? width / obs.length : Number.NaN };
}

/** The rows of one lead (or any subset of row indices) as a ForecastTable for metrics.verify. */
export function forecastTableOf(t: LeadTable, idx: readonly number[]): ForecastTable {
  const pick = (a: number[]) => Float64Array.from(idx, (i) => a[i]!);
  return {
    issueTime: pick(t.issueTime),
    observed: pick(t.observed),
    model: pick(t.model),
    persistence: pick(t.persistence),
    climatology: pick(t.climatology),
    kma: pick(t.kma),
  };
}

function rowsOf(t: LeadTable, keep: (i: number) => boolean): number[] {
  const idx: number[] = [];
  for (let i = 0; i < t.lead.length; i++) if (keep(i)) idx.push(i);
  return idx;
}

export function leadReport(t: LeadTable, lead: number): LeadReport {
  const idx = rowsOf(t, (i) => t.lead[i] === lead);
  const col = (a: number[]) => idx.map((i) => a[i]!);
  const obs = col(t.observed);
  const s = (a: number[]): ErrorStats => errorStats(col(a), obs);
  const model = s(t.model);
  const pers = s(t.persistence);
  const diurnal = s(t.diurnal);
  const clim = s(t.climatology);
  const withKma = idx.filter((i) => !Number.isNaN(t.kma[i]!));
  const kma = withKma.length
    ? errorStats(
        withKma.map((i) => t.kma[i]!),
        withKma.map((i) => t.observed[i]!),
      )
    : null;
  const baselines = [
    ["persistence", pers.rmse],
    ["diurnal_persistence", diurnal.rmse],
    ["climatology", clim.rmse],
  ] as const;
  const best = baselines.filter(([, r]) => Number.isFinite(r)).reduce((a, b) => (b[1] < a[1] ? b : a));
  return {
    lead_hours: lead,
    n: model.n,
    model: { rmse: model.rmse, mae: model.mae, bias: model.bias },
    persistence: { rmse: pers.rmse },
    diurnal_persistence: { rmse: diurnal.rmse },
    climatology: { rmse: clim.rmse },
    kma: kma ? { rmse: kma.rmse, n: kma.n } : null,
    interval80: intervalScore(obs, col(t.p10), col(t.p90)),
    interval95: intervalScore(obs, col(t.p025), col(t.p975)),
    skill: 1 - model.rmse / pers.rmse,
    skill_vs_best_baseline: 1 - model.rmse / best[1],
    best_baseline: best[0],
  };
}

/** Coverage of both intervals over every row of the table (pooled over leads). */
export function pooledCoverage(t: LeadTable): { interval80: IntervalScore; interval95: IntervalScore } {
  return { interval80: intervalScore(t.observed, t.p10, t.p90), interval95: intervalScore(t.observed, t.p025, t.p975) };
}

/** The 24 h-lead headline in the shape of the single-lead backtest report (n, model, persistence, climatology, kma, skill...). */
export function headline(t: LeadTable, lead = 24) {
  const ft = forecastTableOf(
    t,
    rowsOf(t, (i) => t.lead[i] === lead),
  );
  if (ft.observed.length === 0) return null;
  const v = verify(ft);
  const sc = (e: ErrorStats) => ({ rmse: e.rmse, mae: e.mae, bias: e.bias });
  return {
    n: v.n,
    model: sc(v.model),
    persistence: sc(v.persistence),
    climatology: sc(v.climatology),
    kma: v.kma,
    skill: v.skill,
    skill_vs_climatology: v.skill_vs_climatology,
    skill_ci95: skillInterval(ft),
  };
}

/** The rows of the given leads. */
export function selectLeads(t: LeadTable, leads: readonly number[]): LeadTable {
  const keep = new Set(leads);
  const idx = rowsOf(t, (i) => keep.has(t.lead[i]!));
  const out = emptyLeadTable();
  for (const k of Object.keys(out) as (keyof LeadTable)[]) out[k] = idx.map((i) => t[k][i]!);
  return out;
}
