// Two runs side by side (MLflow's "compare runs"): their facts (location, code, dataset), parameters
// and metrics flattened to dotted keys ('holdout.model.rmse', 'by_month.2025-04.skill'), each with
// both values, whether they are the same, and b - a for numbers.
import { jsonEqual, toJsonObject } from "./json.ts";
import type { JsonValue } from "./json.ts";
import type { TrainingRun } from "./runs.ts";

export interface ValueDiff {
  key: string;
  /** undefined: the run does not have it. */
  a: JsonValue | undefined;
  b: JsonValue | undefined;
  same: boolean;
  /** b - a, when both are numbers. */
  delta?: number;
}

export interface RunComparison {
  a: string;
  b: string;
  /** location, status, duration, code version, dataset fingerprint, artifact checksums. */
  run: ValueDiff[];
  params: ValueDiff[];
  metrics: ValueDiff[];
}

/**
 * Flattens objects to dotted keys. Arrays of objects that carry a `month` are keyed by it (so that
 * months line up between runs with different ranges); other arrays of objects by index; arrays of
 * plain values stay one value.
 */
export function flatten(value: JsonValue | undefined, prefix = "", out = new Map<string, JsonValue>()): Map<string, JsonValue> {
  const at = (k: string) => (prefix ? `${prefix}.${k}` : k);
  if (value === undefined) return out;
  if (Array.isArray(value)) {
    const objects = value.length > 0 && value.every((v) => v !== null && typeof v === "object" && !Array.isArray(v));
    if (!objects) {
      out.set(prefix, value);
      return out;
    }
    const byMonth = value.every((v) => typeof (v as { month?: unknown }).month === "string");
    value.forEach((v, i) => {
      const { month, ...rest } = v as { month?: string; [k: string]: JsonValue | undefined };
      if (byMonth) flatten(rest as JsonValue, at(month!), out);
      else flatten(v, at(String(i)), out);
    });
    return out;
  }
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value);
    if (keys.length === 0 && prefix) out.set(prefix, value);
    for (const k of keys) flatten(value[k], at(k), out);
    return out;
  }
  out.set(prefix, value);
  return out;
}

export function diffMaps(a: Map<string, JsonValue>, b: Map<string, JsonValue>): ValueDiff[] {
  const keys = [...a.keys(), ...[...b.keys()].filter((k) => !a.has(k))];
  return keys.map((key) => {
    const va = a.get(key);
    const vb = b.get(key);
    const d: ValueDiff = { key, a: va, b: vb, same: a.has(key) && b.has(key) && jsonEqual(va, vb) };
    if (typeof va === "number" && typeof vb === "number") d.delta = vb - va;
    return d;
  });
}

function facts(r: TrainingRun): Map<string, JsonValue> {
  const m = new Map<string, JsonValue>([
    ["location", r.location],
    ["status", r.status],
    ["started_at", r.startedAt],
    ["duration_s", r.durationMs === null ? null : r.durationMs / 1000],
    ["package_version", r.code.packageVersion],
    ["git_commit", r.code.gitCommit],
  ]);
  if (r.dataset) {
    m.set("dataset.rows", r.dataset.rows);
    m.set("dataset.from", r.dataset.from);
    m.set("dataset.to", r.dataset.to);
    m.set("dataset.features", r.dataset.features);
    m.set("dataset.feature_spec_version", r.dataset.featureSpecVersion);
    m.set("dataset.sha256", r.dataset.sha256);
  }
  for (const [phase, ms] of Object.entries(r.phases)) m.set(`phase_ms.${phase}`, ms);
  for (const art of r.artifacts) m.set(`artifact.${art.name}.sha256`, art.sha256);
  if (r.error) m.set("error", `${r.error.class}: ${r.error.message ?? ""}`);
  return m;
}

export function compareRuns(a: TrainingRun, b: TrainingRun): RunComparison {
  return {
    a: a.id,
    b: b.id,
    run: diffMaps(facts(a), facts(b)),
    params: diffMaps(flatten(a.params), flatten(b.params)),
    metrics: diffMaps(flatten(toJsonObject(a.metrics, "metrics")), flatten(toJsonObject(b.metrics, "metrics"))),
  };
}
