// Dataset builder: one row per issue hour t (for one location) with the target T(t+24h).
// Rows need T(t) (the core input: persistence and the delta target are built on it) and, unless
// asked otherwise, an observed T(t+24h); rows without them are dropped and counted, never shifted.
// Features come from features.ts and only see data at or before t.
import { climatologyAt } from "./baselines.ts";
import { computeFeatures, type FeatureContext, featureDefs, type FeatureSpec, featureSpec, HORIZON_HOURS, type TargetTransformName } from "./features.ts";
import { HOUR_MS, type HourlySeries } from "./series.ts";
import { HourlyGrid } from "./series-grid.ts";

export interface TargetTransform {
  name: TargetTransformName;
  description: string;
  needsClimatology: boolean;
  /** Label the model learns, from the observed target and the row's references. */
  forward(target: number, r: RowRefs): number;
  /** Temperature forecast from the model's output. */
  inverse(y: number, r: RowRefs): number;
}

/** Per-row reference values the target transforms use. */
export interface RowRefs {
  /** T(t). */
  current: number;
  /** Climatology at t and at t+24h (NaN without a climatology). */
  climIssue: number;
  climTarget: number;
}

export const TARGET_TRANSFORMS: Readonly<Record<TargetTransformName, TargetTransform>> = {
  level: {
    name: "level",
    description: "the model predicts T(t+24h) itself",
    needsClimatology: false,
    forward: (y) => y,
    inverse: (y) => y,
  },
  delta: {
    name: "delta",
    description: "the model predicts T(t+24h) - T(t); forecast = T(t) + prediction",
    needsClimatology: false,
    forward: (y, r) => y - r.current,
    inverse: (y, r) => r.current + y,
  },
  delta_clim: {
    name: "delta_clim",
    description: "the model predicts T(t+24h) - T(t) - (clim(t+24h) - clim(t)); forecast adds the climatological drift back",
    needsClimatology: true,
    forward: (y, r) => y - r.current - (r.climTarget - r.climIssue),
    inverse: (y, r) => r.current + (r.climTarget - r.climIssue) + y,
  },
  anomaly: {
    name: "anomaly",
    description: "the model predicts T(t+24h) - clim(t+24h); forecast = clim(t+24h) + prediction",
    needsClimatology: true,
    forward: (y, r) => y - r.climTarget,
    inverse: (y, r) => r.climTarget + y,
  },
};

export class DatasetError extends Error {
  override name = "DatasetError";
}

export interface BuildDatasetOptions {
  /** Feature names, in column order (see FEATURE_CATALOGUE). */
  features: readonly string[];
  target: TargetTransformName;
  context: FeatureContext;
  /** Issue hours in [from, to) (UTC epoch ms); default: the whole series. */
  from?: number;
  to?: number;
  /** Only rows whose target hour t+24h is before this instant (training must not see the future). */
  targetBefore?: number;
  /** Only issue hours this accepts (e.g. everything outside a held-out block). */
  keep?: (issueTime: number) => boolean;
  /** Drop rows whose T(t+24h) is not observed (default true; false for serving the latest hours). */
  requireTarget?: boolean;
}

export interface ForecastDataset {
  spec: FeatureSpec;
  featureNames: string[];
  numRows: number;
  numCols: number;
  /** Row-major numRows x numCols feature matrix, NaN = missing. */
  data: Float64Array;
  /** Issue hour t of each row, UTC epoch ms. */
  issueTime: Float64Array;
  /** T(t): the persistence forecast. */
  current: Float64Array;
  /** Observed T(t+24h) (NaN when requireTarget is false and it is not observed). */
  target: Float64Array;
  /** Climatology at t and t+24h (NaN without a climatology); climTarget is the climatology forecast. */
  climIssue: Float64Array;
  climTarget: Float64Array;
  /** The KMA forecast for t+24h issued at or before t, NaN where there is none. */
  kma: Float64Array;
  /** The transformed target the model learns (NaN where the target is unknown). */
  label: Float64Array;
  /** Issue hours in range that were dropped, by reason. */
  dropped: { noRecordOrTemperature: number; noTarget: number };
}

function kmaFor(ctx: FeatureContext, t: number): number {
  return ctx.kma.latest(t + HORIZON_HOURS * HOUR_MS, t)?.temperature ?? Number.NaN;
}

export function buildForecastDataset(source: HourlySeries | HourlyGrid, opts: BuildDatasetOptions): ForecastDataset {
  const g = source instanceof HourlyGrid ? source : new HourlyGrid(source);
  const defs = featureDefs(opts.features);
  const transform = TARGET_TRANSFORMS[opts.target];
  const clim = opts.context.climatology;
  if (transform.needsClimatology && !clim) {
    throw new DatasetError(`target transform "${opts.target}" needs a climatology, and none could be fitted (too little training data)`);
  }
  const requireTarget = opts.requireTarget ?? true;
  const horizon = HORIZON_HOURS;
  const lo = Math.max(0, Math.ceil(g.index(opts.from ?? g.start)));
  const hi = Math.min(g.length, Math.ceil(g.index(opts.to ?? g.time(g.length))));
  const rows: number[] = [];
  let noRecord = 0;
  let noTarget = 0;
  for (let i = lo; i < hi; i++) {
    const t = g.time(i);
    if (opts.targetBefore !== undefined && t + horizon * HOUR_MS >= opts.targetBefore) continue;
    if (opts.keep && !opts.keep(t)) continue;
    if (Number.isNaN(g.value("temperature", i))) {
      noRecord++;
      continue;
    }
    if (requireTarget && Number.isNaN(g.value("temperature", i + horizon))) {
      noTarget++;
      continue;
    }
    rows.push(i);
  }
  const n = rows.length;
  const k = defs.length;
  const ds: ForecastDataset = {
    spec: featureSpec(opts.features, opts.target),
    featureNames: [...opts.features],
    numRows: n,
    numCols: k,
    data: new Float64Array(n * k),
    issueTime: new Float64Array(n),
    current: new Float64Array(n),
    target: new Float64Array(n),
    climIssue: new Float64Array(n),
    climTarget: new Float64Array(n),
    kma: new Float64Array(n),
    label: new Float64Array(n),
    dropped: { noRecordOrTemperature: noRecord, noTarget },
  };
  rows.forEach((i, r) => {
    const t = g.time(i);
    computeFeatures(g, i, defs, opts.context, ds.data.subarray(r * k, (r + 1) * k));
    ds.issueTime[r] = t;
    ds.current[r] = g.value("temperature", i);
    ds.target[r] = g.value("temperature", i + horizon);
    ds.climIssue[r] = clim ? climatologyAt(clim, t) : Number.NaN;
    ds.climTarget[r] = clim ? climatologyAt(clim, t + horizon * HOUR_MS) : Number.NaN;
    ds.kma[r] = kmaFor(opts.context, t);
    ds.label[r] = Number.isNaN(ds.target[r]!) ? Number.NaN : transform.forward(ds.target[r]!, refs(ds, r));
  });
  return ds;
}

function refs(ds: ForecastDataset, r: number): RowRefs {
  return { current: ds.current[r]!, climIssue: ds.climIssue[r]!, climTarget: ds.climTarget[r]! };
}

/** Temperature forecasts from the model's raw outputs (one per row). */
export function inverseTarget(ds: ForecastDataset, outputs: ArrayLike<number>): Float64Array {
  if (outputs.length !== ds.numRows) throw new DatasetError(`${outputs.length} predictions for ${ds.numRows} rows`);
  const transform = TARGET_TRANSFORMS[ds.spec.target];
  const out = new Float64Array(ds.numRows);
  for (let r = 0; r < ds.numRows; r++) out[r] = transform.inverse(outputs[r]!, refs(ds, r));
  return out;
}

/** The rows whose index satisfies `keep`, as a new dataset. */
export function selectRows(ds: ForecastDataset, keep: (r: number) => boolean): ForecastDataset {
  const idx: number[] = [];
  for (let r = 0; r < ds.numRows; r++) if (keep(r)) idx.push(r);
  const k = ds.numCols;
  const pick = (a: Float64Array) => Float64Array.from(idx, (r) => a[r]!);
  const data = new Float64Array(idx.length * k);
  idx.forEach((r, j) => data.set(ds.data.subarray(r * k, (r + 1) * k), j * k));
  return {
    ...ds,
    numRows: idx.length,
    data,
    issueTime: pick(ds.issueTime),
    current: pick(ds.current),
    target: pick(ds.target),
    climIssue: pick(ds.climIssue),
    climTarget: pick(ds.climTarget),
    kma: pick(ds.kma),
    label: pick(ds.label),
  };
}
