// A series laid out on a dense hourly grid: index i is hour start + i h. Hours with no record (gaps)
// and null values are NaN, so lags and windows are plain index arithmetic and can never silently
// pick up a neighbouring hour. Window statistics come from prefix sums, built once per field.
import { HOUR_MS, type HourlySeries, OBSERVATION_FIELDS, type ObservationField, validateSeries } from "./series.ts";

export class HourlyGrid {
  readonly start: number;
  readonly length: number;
  /** 1 where the series has a record for the hour (even if all its values are null), 0 in a gap. */
  readonly present: Uint8Array;
  readonly #values = new Map<ObservationField, Float64Array>();
  readonly #prefix = new Map<string, { sum: Float64Array; count: Float64Array }>();

  constructor(series: HourlySeries) {
    validateSeries(series);
    const obs = series.observations;
    this.start = obs.length ? obs[0]!.time : 0;
    this.length = obs.length ? (obs[obs.length - 1]!.time - this.start) / HOUR_MS + 1 : 0;
    this.present = new Uint8Array(this.length);
    for (const f of OBSERVATION_FIELDS) this.#values.set(f, new Float64Array(this.length).fill(Number.NaN));
    for (const o of obs) {
      const i = (o.time - this.start) / HOUR_MS;
      this.present[i] = 1;
      for (const f of OBSERVATION_FIELDS) {
        const v = o[f];
        if (typeof v === "number") this.#values.get(f)![i] = v;
      }
    }
  }

  /** Grid index of a UTC hour (may be out of range). */
  index(time: number): number {
    return (time - this.start) / HOUR_MS;
  }

  time(i: number): number {
    return this.start + i * HOUR_MS;
  }

  /** The value of a field at index i; NaN outside the grid, in a gap or when not observed. */
  value(field: ObservationField, i: number): number {
    if (i < 0 || i >= this.length) return Number.NaN;
    return this.#values.get(field)![i]!;
  }

  #prefixOf(field: ObservationField) {
    let p = this.#prefix.get(field);
    if (!p) {
      const v = this.#values.get(field)!;
      const sum = new Float64Array(this.length + 1);
      const count = new Float64Array(this.length + 1);
      for (let i = 0; i < this.length; i++) {
        const x = v[i]!;
        const ok = !Number.isNaN(x);
        sum[i + 1] = sum[i]! + (ok ? x : 0);
        count[i + 1] = count[i]! + (ok ? 1 : 0);
      }
      p = { sum, count };
      this.#prefix.set(field, p);
    }
    return p;
  }

  #presentPrefix: Float64Array | undefined;

  /** Number of hours with a record in (i - w, i]. */
  #recordsIn(i: number, w: number): number {
    if (!this.#presentPrefix) {
      const p = new Float64Array(this.length + 1);
      for (let k = 0; k < this.length; k++) p[k + 1] = p[k]! + this.present[k]!;
      this.#presentPrefix = p;
    }
    const hi = Math.min(i, this.length - 1) + 1;
    const lo = Math.max(i - w + 1, 0);
    return hi > lo ? this.#presentPrefix[hi]! - this.#presentPrefix[lo]! : 0;
  }

  /**
   * Mean of the field over the trailing window of w hours ending at i (inclusive), or NaN when
   * fewer than `minCoverage` of the w hours were observed (hours before the grid count as missing).
   */
  mean(field: ObservationField, i: number, w: number, minCoverage = 0.75): number {
    if (i < 0 || i >= this.length) return Number.NaN;
    const { sum, count } = this.#prefixOf(field);
    const lo = Math.max(i - w + 1, 0);
    const n = count[i + 1]! - count[lo]!;
    if (n === 0 || n < minCoverage * w) return Number.NaN;
    return (sum[i + 1]! - sum[lo]!) / n;
  }

  /**
   * Accumulated amount (precipitation, radiation, sunshine) over the trailing w hours ending at i.
   * KMA leaves these blank when there is nothing to report, so a blank in an hour that has a record
   * counts as 0; NaN when fewer than `minCoverage` of the hours have a record (gaps), or when the
   * field has never been reported at or before i (a station or data set without it).
   */
  accumulated(field: ObservationField, i: number, w: number, minCoverage = 0.75): number {
    if (i < 0 || i >= this.length) return Number.NaN;
    const { sum, count } = this.#prefixOf(field);
    if (count[i + 1] === 0) return Number.NaN;
    if (this.#recordsIn(i, w) < minCoverage * w) return Number.NaN;
    const lo = Math.max(i - w + 1, 0);
    return sum[i + 1]! - sum[lo]!;
  }

  /** Min or max over the trailing w hours ending at i, with the same coverage rule as mean. */
  extreme(field: ObservationField, i: number, w: number, kind: "min" | "max", minCoverage = 0.75): number {
    if (i < 0 || i >= this.length) return Number.NaN;
    const v = this.#values.get(field)!;
    let n = 0;
    let best = kind === "min" ? Infinity : -Infinity;
    for (let k = Math.max(i - w + 1, 0); k <= i; k++) {
      const x = v[k]!;
      if (Number.isNaN(x)) continue;
      n++;
      if (kind === "min" ? x < best : x > best) best = x;
    }
    return n === 0 || n < minCoverage * w ? Number.NaN : best;
  }
}
