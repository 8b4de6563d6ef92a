// POST /v1/predict behind HTTP: feature rows checked with zod against the loaded model's own feature
// spec (every feature named, nothing else, each a finite number or null = missing), then evaluated
// by the TypeScript predictor. The model predicts its TARGET TRANSFORM (e.g. delta = T(t+24h) - T(t),
// in °C), not the temperature itself unless the target is `level`: turning a delta into °C needs
// T(t), which is not one of the features.
import { z } from "zod";
import { TARGET_TRANSFORMS } from "../model/dataset.ts";
import { boundedNames, listText } from "../text/bounded-list.ts";
import { ServingInputError } from "./errors.ts";
import { MAX_LEAD_HOURS } from "../model/lead-features.ts";
import type { Model } from "../model/predictor/index.ts";
import type { LoadedModel } from "./load-model.ts";

/** Most rows in one request. */
export const MAX_BATCH_ROWS = 10_000;
/** Invalid rows described in one 400 answer (the count says how many there were). */
const MAX_REPORTED_ROWS = 20;

export interface RowProblems {
  missing: string[];
  unknown: string[];
  non_numeric: string[];
}

/** What predictRows needs of a model: the legacy 24 h model, or one lead of the 1..48 h set (predictHourlyRows). */
export interface RowModel {
  version: string;
  featureNames: readonly string[];
  artifact: { spec: { version: string } };
  model: Pick<Model, "predictBatch">;
}

const schemas = new WeakMap<RowModel, z.ZodType<Record<string, number | null>>>();

/** The zod schema of one row for this model: its features, in its spec, as finite numbers or null. */
export function rowSchema(model: RowModel): z.ZodType<Record<string, number | null>> {
  let s = schemas.get(model);
  if (!s) {
    // z.number() refuses NaN and ±Infinity (zod 4); null stands for a missing value.
    const shape: Record<string, z.ZodNullable<z.ZodNumber>> = Object.fromEntries(model.featureNames.map((n) => [n, z.number().nullable()]));
    s = z.strictObject(shape);
    schemas.set(model, s);
  }
  return s;
}

function problemsOf(issues: readonly z.core.$ZodIssue[], row: Record<string, unknown>): RowProblems {
  const p: RowProblems = { missing: [], unknown: [], non_numeric: [] };
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") p.unknown.push(...issue.keys);
    else {
      const name = String(issue.path[0] ?? "");
      if (!Object.hasOwn(row, name)) p.missing.push(name);
      else p.non_numeric.push(name);
    }
  }
  return p;
}

export interface PredictResult {
  model: RowModel;
  /** One value per row, in order, in the model's target space. */
  predictions: Float64Array;
}

/**
 * The common case without zod: exactly the model's features as own keys, each a finite number or
 * null (what rowSchema accepts), written into the matrix. False means "let zod describe it".
 */
function fillRow(row: Record<string, unknown>, names: readonly string[], matrix: Float64Array, offset: number): boolean {
  if (row === null || typeof row !== "object" || Array.isArray(row)) return false;
  let keys = 0;
  for (const key in row) if (Object.hasOwn(row, key)) keys++;
  if (keys !== names.length) return false;
  for (let j = 0; j < names.length; j++) {
    const name = names[j]!;
    if (!Object.hasOwn(row, name)) return false;
    const x = row[name];
    if (x === null) matrix[offset + j] = Number.NaN;
    else if (typeof x === "number" && Number.isFinite(x)) matrix[offset + j] = x;
    else return false;
  }
  return true;
}

/** Checks the rows (ServingInputError listing every problem) and predicts them. */
export function predictRows(model: RowModel, rows: readonly Record<string, unknown>[], single: boolean): PredictResult {
  if (rows.length === 0) throw new ServingInputError("instances is empty: send at least one row");
  if (rows.length > MAX_BATCH_ROWS)
    throw new ServingInputError(`${rows.length} instances; at most ${MAX_BATCH_ROWS} per request`, { max_instances: MAX_BATCH_ROWS });
  const schema = rowSchema(model);
  const names = model.featureNames;
  const k = names.length;
  const matrix = new Float64Array(rows.length * k);
  const bad: ({ index: number } & RowProblems)[] = [];
  let badCount = 0;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    if (fillRow(row, names, matrix, r * k)) continue;
    // Not a clean row: zod says exactly what is wrong (and is the rule the fast path follows).
    const parsed = schema.safeParse(row);
    if (!parsed.success) {
      badCount++;
      if (bad.length < MAX_REPORTED_ROWS) bad.push({ index: r, ...problemsOf(parsed.error.issues, row) });
      continue;
    }
    const v = parsed.data;
    for (let j = 0; j < k; j++) {
      const x = v[names[j]!];
      matrix[r * k + j] = x === null || x === undefined ? Number.NaN : x;
    }
  }
  if (badCount > 0) {
    const spec = { features: names, version: model.artifact.spec.version };
    if (single) {
      const { index: _i, ...p } = bad[0]!;
      throw new ServingInputError(`the features do not match model ${model.version}: ${describe(p)}`, { ...boundedProblems(p), expected: spec });
    }
    throw new ServingInputError(`${badCount} of ${rows.length} instances do not match model ${model.version}; first: #${bad[0]!.index}: ${describe(bad[0]!)}`, {
      invalid_instances: badCount,
      instances: bad.map(({ index, ...p }) => ({ index, ...boundedProblems(p) })),
      expected: spec,
    });
  }
  return { model, predictions: model.model.predictBatch(matrix, rows.length) };
}

/** The problems as echoed in an answer: at most a few names per list, with each list's full count. */
function boundedProblems(p: RowProblems): RowProblems & { counts: Record<keyof RowProblems, number> } {
  return {
    missing: boundedNames(p.missing),
    unknown: boundedNames(p.unknown),
    non_numeric: boundedNames(p.non_numeric),
    counts: { missing: p.missing.length, unknown: p.unknown.length, non_numeric: p.non_numeric.length },
  };
}

function describe(p: RowProblems): string {
  const parts: string[] = [];
  if (p.missing.length) parts.push(`missing ${listText(p.missing)}`);
  if (p.unknown.length) parts.push(`unknown ${listText(p.unknown)}`);
  if (p.non_numeric.length) parts.push(`not a finite number or null: ${listText(p.non_numeric)}`);
  return parts.join("; ");
}

/** How to read the predictions of this model. */
export function targetDescription(model: LoadedModel): { name: string; description: string; unit: "°C"; is_temperature: boolean } {
  const t = TARGET_TRANSFORMS[model.artifact.spec.target];
  return { name: t.name, description: t.description, unit: "°C", is_temperature: t.name === "level" };
}

const leadModels = new WeakMap<LoadedModel, Map<number, RowModel>>();

/**
 * One lead of the 1..48 h set as a RowModel: the rows name the set's features except `lead` (the
 * request's lead_hours fills it), and predictBatch runs that lead's group model.
 */
function leadRowModel(model: LoadedModel, lead: number): RowModel {
  const h = model.hourly;
  if (!h) throw new ServingInputError(`the production model ${model.version} has no 1..48 h model set (it was trained before them)`);
  let byLead = leadModels.get(model);
  if (!byLead) leadModels.set(model, (byLead = new Map()));
  let m = byLead.get(lead);
  if (m) return m;
  const all = h.artifact.featureNames;
  const leadCol = all.indexOf("lead");
  const names = all.filter((n) => n !== "lead");
  const group = h.artifact.groups.findIndex((g) => g.leads[0] <= lead && lead <= g.leads[1]);
  const predictor = h.predictors[group]!;
  m = {
    version: model.version,
    featureNames: names,
    artifact: { spec: { version: h.artifact.featureCatalogueVersion } },
    model: {
      predictBatch: (data: Float64Array, numRows: number) => {
        if (leadCol < 0) return predictor(data, numRows, all.length);
        const full = new Float64Array(numRows * all.length);
        for (let r = 0; r < numRows; r++) {
          const src = data.subarray(r * names.length, (r + 1) * names.length);
          full.set(src.subarray(0, leadCol), r * all.length);
          full[r * all.length + leadCol] = lead;
          full.set(src.subarray(leadCol), r * all.length + leadCol + 1);
        }
        return predictor(full, numRows, all.length);
      },
    },
  };
  byLead.set(lead, m);
  return m;
}

export interface HourlyPredictResult {
  lead: number;
  group: [number, number];
  /** T(t+h) - T(t), °C, per row; and the calibrated interval bounds in the same space. */
  point: Float64Array;
  p10: Float64Array;
  p90: Float64Array;
  p025: Float64Array;
  p975: Float64Array;
}

/** Checks rows against lead `lead` of the 1..48 h set (ServingInputError listing every problem) and predicts them. */
export function predictHourlyRows(model: LoadedModel, lead: number, rows: readonly Record<string, unknown>[], single: boolean): HourlyPredictResult {
  if (!Number.isInteger(lead) || lead < 1 || lead > MAX_LEAD_HOURS)
    throw new ServingInputError(`lead_hours must be a whole number in 1..${MAX_LEAD_HOURS}, got ${lead}`);
  const { predictions } = predictRows(leadRowModel(model, lead), rows, single);
  const h = model.hourly!.artifact;
  const c = h.calibration.leads[lead - 1]!;
  const shift = (q: number) => predictions.map((p) => p + q);
  const group = h.groups.find((g) => g.leads[0] <= lead && lead <= g.leads[1])!.leads;
  return { lead, group: [group[0], group[1]], point: predictions, p10: shift(c.q10), p90: shift(c.q90), p025: shift(c.q025), p975: shift(c.q975) };
}
