// Forecast verification: n, RMSE, MAE, bias (mean forecast - observed), and skill against
// persistence, overall and by KST month of the issue hour.
import { kstMonth } from "./series.ts";

export interface ErrorStats {
  n: number;
  rmse: number;
  mae: number;
  /** Mean of forecast - observed, °C (positive = too warm). */
  bias: number;
}

export class MetricsError extends Error {
  override name = "MetricsError";
}

/** Error statistics over the pairs where both forecast and observation are numbers (NaN pairs are skipped). */
export function errorStats(forecast: ArrayLike<number>, observed: ArrayLike<number>): ErrorStats {
  if (forecast.length !== observed.length) throw new MetricsError(`${forecast.length} forecasts for ${observed.length} observations`);
  let n = 0;
  let se = 0;
  let ae = 0;
  let e = 0;
  for (let i = 0; i < forecast.length; i++) {
    const d = forecast[i]! - observed[i]!;
    if (Number.isNaN(d)) continue;
    n++;
    se += d * d;
    ae += Math.abs(d);
    e += d;
  }
  if (n === 0) return { n: 0, rmse: Number.NaN, mae: Number.NaN, bias: Number.NaN };
  return { n, rmse: Math.sqrt(se / n), mae: ae / n, bias: e / n };
}

/** 1 - rmse_model / rmse_reference (positive = better than the reference). */
export function skill(model: ErrorStats, reference: ErrorStats): number {
  return 1 - model.rmse / reference.rmse;
}

/** Forecasts of one set of rows: the observations, the model and the baselines (NaN = none for that row). */
export interface ForecastTable {
  issueTime: ArrayLike<number>;
  observed: ArrayLike<number>;
  model: ArrayLike<number>;
  persistence: ArrayLike<number>;
  climatology: ArrayLike<number>;
  kma: ArrayLike<number>;
}

export interface KmaComparison extends ErrorStats {
  /** The model and persistence on the same rows (those with a KMA forecast). */
  model_rmse: number;
  persistence_rmse: number;
}

export interface Verification {
  n: number;
  model: ErrorStats;
  persistence: ErrorStats;
  climatology: ErrorStats;
  kma: KmaComparison | null;
  /** 1 - rmse_model / rmse_persistence. */
  skill: number;
  /** 1 - rmse_model / rmse_climatology. */
  skill_vs_climatology: number;
}

export interface MonthVerification extends Verification {
  /** KST month of the issue hours, "YYYY-MM". */
  month: string;
}

function pick(a: ArrayLike<number>, idx: readonly number[]): Float64Array {
  return Float64Array.from(idx, (i) => a[i]!);
}

/** Verifies the rows at `idx` (default: all rows). */
export function verify(t: ForecastTable, idx?: readonly number[]): Verification {
  const rows = idx ?? Array.from({ length: t.observed.length }, (_, i) => i);
  const obs = pick(t.observed, rows);
  const model = errorStats(pick(t.model, rows), obs);
  const persistence = errorStats(pick(t.persistence, rows), obs);
  const climatology = errorStats(pick(t.climatology, rows), obs);
  const withKma = rows.filter((i) => !Number.isNaN(t.kma[i]!));
  let kma: KmaComparison | null = null;
  if (withKma.length) {
    const o = pick(t.observed, withKma);
    kma = {
      ...errorStats(pick(t.kma, withKma), o),
      model_rmse: errorStats(pick(t.model, withKma), o).rmse,
      persistence_rmse: errorStats(pick(t.persistence, withKma), o).rmse,
    };
  }
  return { n: model.n, model, persistence, climatology, kma, skill: skill(model, persistence), skill_vs_climatology: skill(model, climatology) };
}

/** The same verification for each KST month of the issue hours, in time order. */
export function verifyByMonth(t: ForecastTable): MonthVerification[] {
  const groups = new Map<string, number[]>();
  for (let i = 0; i < t.issueTime.length; i++) {
    const m = kstMonth(t.issueTime[i]!);
    const g = groups.get(m);
    if (g) g.push(i);
    else groups.set(m, [i]);
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([month, idx]) => ({ month, ...verify(t, idx) }));
}

/** Deterministic PRNG (mulberry32) so bootstrap intervals are reproducible. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface BootstrapOptions {
  /** Rows per block; errors of nearby hours are correlated, so resample whole blocks (default 72 = 3 days of hourly rows). */
  blockRows?: number;
  resamples?: number;
  seed?: number;
}

/**
 * A 95 % interval for the skill against persistence, by a circular moving-block bootstrap over the
 * rows in time order (rows with a NaN model or persistence forecast are left out first). Says whether
 * a skill is distinguishable from 0 given how few independent weather situations a backtest holds.
 */
export function skillInterval(t: ForecastTable, opts: BootstrapOptions = {}): [number, number] {
  const order = Array.from({ length: t.observed.length }, (_, i) => i)
    .filter((i) => !Number.isNaN(t.model[i]! - t.observed[i]!) && !Number.isNaN(t.persistence[i]! - t.observed[i]!))
    .sort((a, b) => t.issueTime[a]! - t.issueTime[b]!);
  const n = order.length;
  if (n === 0) return [Number.NaN, Number.NaN];
  const em = order.map((i) => (t.model[i]! - t.observed[i]!) ** 2);
  const ep = order.map((i) => (t.persistence[i]! - t.observed[i]!) ** 2);
  const block = Math.max(1, Math.min(opts.blockRows ?? 72, n));
  const resamples = opts.resamples ?? 1000;
  const rand = mulberry32(opts.seed ?? 12345);
  const skills: number[] = [];
  for (let b = 0; b < resamples; b++) {
    let sm = 0;
    let sp = 0;
    for (let filled = 0; filled < n; ) {
      const start = Math.floor(rand() * n);
      for (let k = 0; k < block && filled < n; k++, filled++) {
        const j = (start + k) % n;
        sm += em[j]!;
        sp += ep[j]!;
      }
    }
    skills.push(1 - Math.sqrt(sm / sp));
  }
  skills.sort((a, b) => a - b);
  const q = (p: number) => skills[Math.min(skills.length - 1, Math.max(0, Math.round(p * (skills.length - 1))))]!;
  return [q(0.025), q(0.975)];
}
