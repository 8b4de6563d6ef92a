// POST /v1/predict behind HTTP: feature rows checked with zod against the loaded model's own feature
// spec (every feature named, nothing else, each a finite number or null = missing), then evaluated
// by the TypeScript predictor. The model predicts its TARGET TRANSFORM (e.g. delta = T(t+24h) - T(t),
// in °C), not the temperature itself unless the target is `level`: turning a delta into °C needs
// T(t), which is not one of the features.
import { z } from "zod";
import { TARGET_TRANSFORMS } from "../model/dataset.ts";
import { boundedNames, listText } from "../text/bounded-list.ts";
import { ServingInputError } from "./errors.ts";
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

const schemas = new WeakMap<LoadedModel, z.ZodType<Record<string, number | null>>>();

/** The zod schema of one row for this model: its features, in its spec, as finite numbers or null. */
export function rowSchema(model: LoadedModel): z.ZodType<Record<string, number | null>> {
  let s = schemas.get(model);
  if (!s) {
    // z.number() refuses NaN and ±Infinity (zod 4); null stands for a missing value.
    s = z.strictObject(Object.fromEntries(model.featureNames.map((n) => [n, z.number().nullable()]))) as unknown as z.ZodType<Record<string, number | null>>;
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
  model: LoadedModel;
  /** One value per row, in order, in the model's target space. */
  predictions: Float64Array;
}

/** Checks the rows (ServingInputError listing every problem) and predicts them. */
export function predictRows(model: LoadedModel, rows: readonly Record<string, unknown>[], single: boolean): PredictResult {
  if (rows.length === 0) throw new ServingInputError("instances is empty: send at least one row");
  if (rows.length > MAX_BATCH_ROWS) throw new ServingInputError(`${rows.length} instances; at most ${MAX_BATCH_ROWS} per request`, { max_instances: MAX_BATCH_ROWS });
  const schema = rowSchema(model);
  const names = model.featureNames;
  const k = names.length;
  const matrix = new Float64Array(rows.length * k);
  const bad: ({ index: number } & RowProblems)[] = [];
  let badCount = 0;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
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
