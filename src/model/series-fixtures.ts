// Synthetic hourly series for tests: a seasonal + diurnal temperature cycle plus a mean-reverting
// weather anomaly (AR(1), hourly), humidity that falls as the temperature rises, and a few other
// fields. Deterministic (seeded). The anomaly's mean reversion is something a model can learn and
// persistence cannot, so backtest tests can check for real skill.
import { DAY_MS, HOUR_MS, type HourlyObservation, type HourlySeries } from "./series.ts";

export interface SyntheticOptions {
  /** First hour, UTC epoch ms (default 2017-11-30T15:00Z = 2017-12-01 00h KST). */
  start?: number;
  days: number;
  seed?: number;
  /** Hourly AR(1) coefficient of the weather anomaly (default 0.97). */
  persistence?: number;
  /** Hours [from, to) (indices from the start) to leave out entirely: gaps. */
  gaps?: readonly [number, number][];
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function syntheticSeries(opts: SyntheticOptions): HourlySeries {
  const start = opts.start ?? Date.UTC(2017, 10, 30, 15);
  const rand = rng(opts.seed ?? 1);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const rho = opts.persistence ?? 0.97;
  const hours = opts.days * 24;
  const observations: HourlyObservation[] = [];
  let anomaly = 0;
  for (let k = 0; k < hours; k++) {
    anomaly = rho * anomaly + 0.9 * gauss();
    if (opts.gaps?.some(([a, b]) => k >= a && k < b)) continue;
    const time = start + k * HOUR_MS;
    const days = time / DAY_MS;
    const seasonal = 12.5 - 14 * Math.cos((2 * Math.PI * (days - 17)) / 365.25); // Seoul-like, coldest mid-January
    const diurnal = 4 * Math.cos(2 * Math.PI * (days - 6 / 24)); // warmest 06 UTC = 15 KST
    const temperature = Math.round((seasonal + diurnal + anomaly) * 10) / 10;
    const humidity = Math.max(10, Math.min(100, Math.round(70 - 2 * diurnal - 1.5 * anomaly + 5 * gauss())));
    observations.push({
      time,
      temperature,
      humidity,
      windSpeed: Math.round(Math.abs(2 + gauss()) * 10) / 10,
      dewPoint: Math.round((temperature - (100 - humidity) / 5) * 10) / 10,
      precipitation: rand() < 0.05 ? Math.round(rand() * 50) / 10 : 0,
      solarRadiation: diurnal > 0 ? Math.round(diurnal * 20) / 100 : 0,
      visibility: 2000,
    });
  }
  return { locationId: "synthetic", observations };
}
