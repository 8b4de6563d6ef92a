// npm run bench:hourly — one hourly forecast (48 leads) from the TypeScript predictor. The model set
// is trained here with HOURLY_RECIPE on the bundled Seoul year (cutoff 2018-11-01 KST), then:
//   predictor: the 48 lead rows already built, the group models evaluated (forecastRows);
//   forecast:  hourlyForecast end to end from an observation window of 35 days (grid, feature rows,
//              predictor, intervals, baselines), as serving calls it.
// Medians over BENCH_RUNS x 200 forecasts (issue hours spread over November) after a warm-up, wall
// and CPU time. Target: 48 leads <= 1 ms per forecast at the median (the predictor part).
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { contextFor, fitHourly, forecastRows } from "../src/model/hourly-model.ts";
import { HOURLY_RECIPE } from "../src/model/hourly-recipes.ts";
import { loadHourlyModel } from "../src/model/hourly-load.ts";
import { loadLightGBM } from "../src/model/lightgbm-wasm/node.ts";
import { buildLeadRows, type LeadRows } from "../src/model/multilead-dataset.ts";
import { serializeHourlyArtifact } from "../src/model/artifact.ts";
import { DAY_MS, HOUR_MS, kstToUtc } from "../src/model/series.ts";
import { HourlyGrid } from "../src/model/series-grid.ts";
import { parseSeoulBikeCsv } from "../src/model/seoul-bike.ts";
import { hourlyForecast } from "../src/serving/hourly-forecast.ts";

const RUNS = Math.max(3, Number(process.env.BENCH_RUNS ?? 5));
const PER_RUN = 200;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

const series = parseSeoulBikeCsv(readFileSync(new URL("../data/seoul/SeoulBikeData.csv", import.meta.url), "utf8"));
const cutoff = kstToUtc(2018, 11, 1);
const lgb = await loadLightGBM();
const t0 = performance.now();
const fitted = fitHourly(lgb, series, cutoff, HOURLY_RECIPE);
const fitMs = performance.now() - t0;
const text = serializeHourlyArtifact(fitted.artifact);
fitted.free();
const p0 = performance.now();
const loaded = loadHourlyModel(text);
const loadMs = performance.now() - p0;
const trees = loaded.models.reduce((n, m) => n + m.info.numIterations, 0);

const leads = Array.from({ length: 48 }, (_, k) => k + 1);
const issues = Array.from({ length: PER_RUN }, (_, k) => cutoff + (k * 3 + 1) * HOUR_MS);
const grid = new HourlyGrid(series);
const rowsFor: LeadRows[] = issues.map((t) =>
  buildLeadRows(grid, {
    issueFeatures: HOURLY_RECIPE.issueFeatures,
    leadFeatures: HOURLY_RECIPE.leadFeatures,
    context: contextFor(loaded.artifact, series),
    leads,
    from: t,
    to: t + HOUR_MS,
    requireTarget: false,
  }),
);
// Serving reads a window (35 days) ending at the issue hour.
const windows = issues.map((t) => ({ ...series, observations: series.observations.filter((o) => o.time > t - 35 * DAY_MS && o.time <= t) }));

let sink = 0;
function time(fn: (k: number) => void): { wall: number; cpu: number } {
  for (let k = 0; k < PER_RUN; k++) fn(k);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const c = process.cpuUsage();
    const w = performance.now();
    for (let k = 0; k < PER_RUN; k++) fn(k);
    wall.push((performance.now() - w) / PER_RUN);
    const u = process.cpuUsage(c);
    cpu.push((u.user + u.system) / 1000 / PER_RUN);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

const pred = time((k) => {
  sink += forecastRows(loaded, rowsFor[k]!).point[47]!;
});
const full = time((k) => {
  sink += hourlyForecast(loaded, windows[k]!).leads[47]!.temperature;
});
console.log(
  `bench:hourly — 48-lead forecast, ${loaded.artifact.groups.length} lead-group models, ${trees} trees in all, ${loaded.artifact.featureNames.length} features; node ${process.version}; load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(" ")}`,
);
console.log(
  `training the set on the Seoul year (wasm, incl. calibration): ${(fitMs / 1000).toFixed(1)} s; artifact ${(text.length / 1e6).toFixed(2)} MB; parse + load with the TS predictor ${loadMs.toFixed(0)} ms`,
);
console.log(`predictor, 48 leads from built rows:        median ${pred.wall.toFixed(3)} ms wall, ${pred.cpu.toFixed(3)} ms CPU per forecast (target <= 1 ms)`);
console.log(`hourlyForecast end to end (35-day window):  median ${full.wall.toFixed(3)} ms wall, ${full.cpu.toFixed(3)} ms CPU per forecast`);
if (!Number.isFinite(sink)) console.log("(non-finite forecast)");
