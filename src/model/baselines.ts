// Baselines every forecast is measured against:
// - persistence: T(t+24h) = T(t);
// - climatology: a smoothed seasonal-diurnal mean fitted by least squares on training data only
//   (annual + diurnal harmonics and their interaction, so it exists for days of the year the
//   training data never saw; with under 180 days of data only the diurnal cycle and the mean);
// - KMA: the latest KMA forecast for t+24h issued at or before t, when the series carries one.
import { DAY_MS, HOUR_MS, type HourlySeries, isoHour, type KmaTemperatureForecast, SeriesError } from "./series.ts";

const YEAR_DAYS = 365.2425;
/** Training spans shorter than this fit no annual cycle (it would be extrapolated from a fragment). */
export const MIN_DAYS_FOR_ANNUAL_CYCLE = 180;
/** Fewer observed temperatures than this and there is no climatology at all. */
export const MIN_HOURS_FOR_CLIMATOLOGY = 72;

/** A fitted harmonic climatology of hourly temperature. JSON-serialisable; stored with a model. */
export interface Climatology {
  kind: "harmonic-v1";
  /** Whether the annual-cycle terms were fitted (training span >= MIN_DAYS_FOR_ANNUAL_CYCLE). */
  annual: boolean;
  coefficients: number[];
  /** The observations it was fitted on: [from, to) UTC epoch ms, and how many temperatures. */
  fittedFrom: number;
  fittedTo: number;
  n: number;
  /** RMSE of the fit on its own training data, °C. */
  rmse: number;
}

function basis(time: number, annual: boolean): number[] {
  const days = time / DAY_MS;
  const d1 = 2 * Math.PI * days; // diurnal (phase is fitted, so UTC vs KST does not matter)
  const cd = Math.cos(d1);
  const sd = Math.sin(d1);
  const out = [1, cd, sd, Math.cos(2 * d1), Math.sin(2 * d1)];
  if (annual) {
    const a1 = (2 * Math.PI * days) / YEAR_DAYS;
    const ca = Math.cos(a1);
    const sa = Math.sin(a1);
    // annual cycle, and the diurnal amplitude/phase varying with the season
    out.push(ca, sa, cd * ca, cd * sa, sd * ca, sd * sa);
  }
  return out;
}

/** Solves the symmetric system A x = b (Gaussian elimination with partial pivoting). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i] ?? 0]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    const piv = m[c]![c]!;
    if (Math.abs(piv) < 1e-12) throw new SeriesError("climatology fit is singular (too few distinct hours of data)");
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / piv;
      if (f === 0) continue;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

/** Which observations a climatology may be fitted on: time in [from, to), minus an excluded [from, to). */
export interface ClimatologyRange {
  from?: number;
  to?: number;
  exclude?: { from: number; to: number };
}

/**
 * Fits the climatology on the temperatures observed in the range (default: all). Returns null when
 * fewer than MIN_HOURS_FOR_CLIMATOLOGY temperatures are available.
 */
export function fitClimatology(series: HourlySeries, range: ClimatologyRange = {}): Climatology | null {
  const from = range.from ?? -Infinity;
  const to = range.to ?? Infinity;
  const ex = range.exclude;
  const obs = series.observations.filter(
    (o) => o.time >= from && o.time < to && !(ex && o.time >= ex.from && o.time < ex.to) && typeof o.temperature === "number",
  );
  if (obs.length < MIN_HOURS_FOR_CLIMATOLOGY) return null;
  const first = obs[0]!.time;
  const last = obs[obs.length - 1]!.time;
  const annual = (last - first) / DAY_MS >= MIN_DAYS_FOR_ANNUAL_CYCLE;
  const k = basis(0, annual).length;
  const ata = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const atb = new Array<number>(k).fill(0);
  for (const o of obs) {
    const x = basis(o.time, annual);
    const y = o.temperature as number;
    for (let i = 0; i < k; i++) {
      atb[i]! += x[i]! * y;
      for (let j = 0; j < k; j++) ata[i]![j]! += x[i]! * x[j]!;
    }
  }
  // A whisper of ridge keeps the system well conditioned without biasing the fit.
  for (let i = 1; i < k; i++) ata[i]![i]! += 1e-6 * obs.length;
  const coefficients = solve(ata, atb);
  let sse = 0;
  const clim: Climatology = { kind: "harmonic-v1", annual, coefficients, fittedFrom: first, fittedTo: last + HOUR_MS, n: obs.length, rmse: 0 };
  for (const o of obs) sse += (climatologyAt(clim, o.time) - (o.temperature as number)) ** 2;
  clim.rmse = Math.sqrt(sse / obs.length);
  return clim;
}

/** The climatological temperature at a UTC instant. */
export function climatologyAt(clim: Climatology, time: number): number {
  const x = basis(time, clim.annual);
  if (x.length !== clim.coefficients.length) {
    throw new SeriesError(`climatology has ${clim.coefficients.length} coefficients, expected ${x.length} for annual=${clim.annual}`);
  }
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * clim.coefficients[i]!;
  return s;
}

/** Persistence: the forecast for t+24h is the temperature at t. */
export function persistenceForecast(temperatureAtIssue: number): number {
  return temperatureAtIssue;
}

/** Looks up the latest KMA forecast for a valid hour issued at or before a given instant. */
export interface KmaLookup {
  /** The latest forecast for `validAt` with issuedAt <= `issuedBy`, or undefined. */
  latest(validAt: number, issuedBy: number): KmaTemperatureForecast | undefined;
  readonly size: number;
}

export function kmaLookup(forecasts: readonly KmaTemperatureForecast[] = []): KmaLookup {
  const byValid = new Map<number, KmaTemperatureForecast[]>();
  for (const f of forecasts) {
    const list = byValid.get(f.validAt);
    if (list) list.push(f);
    else byValid.set(f.validAt, [f]);
  }
  for (const list of byValid.values()) list.sort((a, b) => a.issuedAt - b.issuedAt);
  return {
    size: forecasts.length,
    latest(validAt, issuedBy) {
      const list = byValid.get(validAt);
      if (!list) return undefined;
      let best: KmaTemperatureForecast | undefined;
      for (const f of list) {
        if (f.issuedAt <= issuedBy) best = f;
        else break;
      }
      return best;
    },
  };
}

export function describeClimatology(c: Climatology): string {
  return `harmonic climatology (${c.annual ? "annual+diurnal" : "diurnal only"}) fitted on ${c.n} hours ${isoHour(c.fittedFrom)}..${isoHour(c.fittedTo)}, in-sample RMSE ${c.rmse.toFixed(2)} °C`;
}
