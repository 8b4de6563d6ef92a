// Rows for the hourly (1..48 h) forecast: one row per (issue hour t, lead h). The label is
// T(t+h) - T(t) (delta target; forecast = T(t) + output). Columns: the issue features of
// features.ts (computed once per issue hour) followed by the lead features of lead-features.ts.
// Rows need an observed T(t); training rows also an observed T(t+h) before `targetBefore`.
import { climatologyAt } from "./baselines.ts";
import { computeFeatures, type FeatureContext, featureDefs } from "./features.ts";
import { diurnalIndex, kmaForLead, leadFeatureDefs, MAX_LEAD_HOURS } from "./lead-features.ts";
import { HOUR_MS } from "./series.ts";
import type { HourlyGrid } from "./series-grid.ts";

/** Leads [from, to] (inclusive) served by one LightGBM model. */
export type LeadGroup = readonly [number, number];

export interface LeadRows {
  numRows: number;
  numCols: number;
  /** Row-major feature matrix, NaN = missing. */
  data: Float64Array;
  issueTime: Float64Array;
  lead: Float64Array;
  /** T(t), the persistence forecast. */
  current: Float64Array;
  /** Observed T(t+h) (NaN when not observed and not required). */
  target: Float64Array;
  /** T(t+h) - T(t). */
  label: Float64Array;
  diurnal: Float64Array;
  climatology: Float64Array;
  kma: Float64Array;
}

export interface LeadRowsOptions {
  issueFeatures: readonly string[];
  leadFeatures: readonly string[];
  context: FeatureContext;
  leads: readonly number[];
  /** Issue hours [from, to); default: the whole grid. */
  from?: number;
  to?: number;
  /** Only rows whose valid hour t+h is before this instant. */
  targetBefore?: number;
  /** Only issue hours this accepts. */
  keep?: (issueTime: number) => boolean;
  /** Only (issue hour, lead) pairs this accepts, e.g. a deterministic sample of the leads. */
  keepLead?: (issueIndex: number, lead: number) => boolean;
  /** Drop rows without an observed T(t+h) (default true). */
  requireTarget?: boolean;
}

export function checkLeads(leads: readonly number[]): void {
  for (const h of leads) {
    if (!Number.isInteger(h) || h < 1 || h > MAX_LEAD_HOURS) throw new Error(`lead ${h} is not a whole number of hours in 1..${MAX_LEAD_HOURS}`);
  }
}

/** A deterministic pseudo-random subset of `perIssue` leads of a group for each issue index (cheap training). */
export function sampledLeads(group: LeadGroup, perIssue: number): (issueIndex: number, lead: number) => boolean {
  const size = group[1] - group[0] + 1;
  if (perIssue <= 0 || perIssue >= size) return () => true;
  return (i, h) => {
    // A hashed offset per issue hour, then perIssue consecutive leads (cyclically) from it.
    const offset = (Math.imul(i + 1, 2654435761) >>> 0) % size;
    return (h - group[0] + size - offset) % size < perIssue;
  };
}

export function buildLeadRows(g: HourlyGrid, opts: LeadRowsOptions): LeadRows {
  checkLeads(opts.leads);
  const idefs = featureDefs(opts.issueFeatures);
  const ldefs = leadFeatureDefs(opts.leadFeatures);
  const ni = idefs.length;
  const k = ni + ldefs.length;
  const requireTarget = opts.requireTarget ?? true;
  const lo = Math.max(0, Math.ceil(g.index(opts.from ?? g.start)));
  const hi = Math.min(g.length, Math.ceil(g.index(opts.to ?? g.time(g.length))));
  const pairs: number[] = [];
  for (let i = lo; i < hi; i++) {
    if (Number.isNaN(g.value("temperature", i))) continue;
    const t = g.time(i);
    if (opts.keep && !opts.keep(t)) continue;
    for (const h of opts.leads) {
      if (opts.targetBefore !== undefined && t + h * HOUR_MS >= opts.targetBefore) continue;
      if (requireTarget && Number.isNaN(g.value("temperature", i + h))) continue;
      if (opts.keepLead && !opts.keepLead(i, h)) continue;
      pairs.push(i, h);
    }
  }
  const n = pairs.length / 2;
  const rows: LeadRows = {
    numRows: n,
    numCols: k,
    data: new Float64Array(n * k),
    issueTime: new Float64Array(n),
    lead: new Float64Array(n),
    current: new Float64Array(n),
    target: new Float64Array(n),
    label: new Float64Array(n),
    diurnal: new Float64Array(n),
    climatology: new Float64Array(n),
    kma: new Float64Array(n),
  };
  const clim = opts.context.climatology;
  const issueRow = new Float64Array(ni);
  let lastIssue = -1;
  for (let r = 0; r < n; r++) {
    const i = pairs[2 * r]!;
    const h = pairs[2 * r + 1]!;
    if (i !== lastIssue) {
      computeFeatures(g, i, idefs, opts.context, issueRow);
      lastIssue = i;
    }
    const row = rows.data.subarray(r * k, (r + 1) * k);
    row.set(issueRow);
    for (let c = 0; c < ldefs.length; c++) {
      const v = ldefs[c]!.compute(g, i, h, opts.context);
      row[ni + c] = Number.isFinite(v) ? v : Number.NaN;
    }
    const t = g.time(i);
    const now = g.value("temperature", i);
    rows.issueTime[r] = t;
    rows.lead[r] = h;
    rows.current[r] = now;
    rows.target[r] = g.value("temperature", i + h);
    rows.label[r] = rows.target[r]! - now;
    rows.diurnal[r] = g.value("temperature", diurnalIndex(i, h));
    rows.climatology[r] = clim ? climatologyAt(clim, t + h * HOUR_MS) : Number.NaN;
    rows.kma[r] = kmaForLead(g, i, h, opts.context);
  }
  return rows;
}
