// The metrics a training run records: verification on the holdout window (the model against
// persistence, climatology and KMA), optionally by KST month, plus anything else the trainer wants
// to keep (extra top-level keys are stored as given).
//
// Shaped like src/model's verification report, so a trainer can pass
//   { holdout: { from, to, ...verifyReport }, by_month: report.by_month }.
import { z } from "zod";
import { toUtcSecond } from "../db/utc-time.ts";
import { TrackingInputError } from "./errors.ts";
import { toJsonObject } from "./json.ts";

/** Errors of one forecast against observations, °C. */
export interface ErrorScores {
  rmse: number;
  mae: number;
  /** Mean of forecast - observed. */
  bias?: number;
  [extra: string]: unknown;
}

/** A baseline's scores; null when it had no row to score. */
export interface BaselineScores {
  rmse: number | null;
  mae: number | null;
  bias?: number | null;
  [extra: string]: unknown;
}

export interface HoldoutMetrics {
  /** First issue hour of the holdout window, UTC ('2025-04-01T00:00:00Z'). */
  from: string;
  /** End of the window (exclusive), UTC. */
  to: string;
  /** Verified rows (issue hours). */
  n: number;
  model: ErrorScores;
  persistence: ErrorScores;
  /** null scores: no row could be scored (stored for NaN). */
  climatology?: BaselineScores | null;
  /** KMA's own forecast, on the rows that have one (model_rmse / persistence_rmse on those rows). */
  kma?: (BaselineScores & { n?: number; model_rmse?: number | null; persistence_rmse?: number | null }) | null;
  /** 1 - model.rmse / persistence.rmse. */
  skill: number;
  skill_vs_climatology?: number | null;
  [extra: string]: unknown;
}

export interface MonthMetrics {
  /** KST month of the issue hours, 'YYYY-MM'. */
  month: string;
  [extra: string]: unknown;
}

export interface RunMetrics {
  holdout?: HoldoutMetrics;
  by_month?: MonthMetrics[];
  [extra: string]: unknown;
}

/** What logMetrics accepts: times may be Dates or epoch milliseconds, NaN of empty groups becomes null. */
export type RunMetricsInput = Omit<RunMetrics, "holdout"> & {
  holdout?: Omit<HoldoutMetrics, "from" | "to"> & { from: string | number | Date; to: string | number | Date };
};

const utcTime = z.union([z.string(), z.number(), z.date()]).transform((v, ctx) => {
  try {
    return toUtcSecond(typeof v === "number" ? new Date(v) : v);
  } catch (e) {
    ctx.addIssue({ code: "custom", message: (e as Error).message });
    return z.NEVER;
  }
});

const nonNegative = z.number().nonnegative();
const scores = z.looseObject({ rmse: nonNegative, mae: nonNegative, bias: z.number().optional() });
// Baselines that could not be scored on any row (no climatology, no KMA forecast) have null scores.
const baselineScores = z.looseObject({ rmse: nonNegative.nullable(), mae: nonNegative.nullable(), bias: z.number().nullable().optional() });

const holdoutSchema = z
  .looseObject({
    from: utcTime,
    to: utcTime,
    n: z.int().positive(),
    model: scores,
    persistence: scores,
    climatology: baselineScores.nullable().optional(),
    kma: baselineScores
      .extend({
        n: z.int().nonnegative().optional(),
        model_rmse: nonNegative.nullable().optional(),
        persistence_rmse: nonNegative.nullable().optional(),
      })
      .nullable()
      .optional(),
    skill: z.number(),
    skill_vs_climatology: z.number().nullable().optional(),
  })
  .refine((h) => h.to > h.from, { message: "must end after it starts (to > from)", path: ["to"] });

const metricsSchema = z.looseObject({
  holdout: holdoutSchema.optional(),
  by_month: z.array(z.looseObject({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "must be a month 'YYYY-MM'") })).optional(),
});

function oneLine(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues.map((i) => `${["metrics", ...i.path.map(String)].join(".")}: ${i.message}`).join("; ");
}

/** NaN and ±Infinity in plain objects and arrays become null (what an empty group's statistics are). */
function nonFiniteToNull(value: unknown): unknown {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map(nonFiniteToNull);
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, nonFiniteToNull(v)]));
  }
  return value;
}

/**
 * Validates metrics for recording. NaN and infinite numbers (the scores of a baseline or month with
 * no rows) become null first; then the model's and persistence's holdout scores must be numbers,
 * rmse/mae >= 0, skill a number, and the window's times UTC instants with from < to.
 */
export function parseRunMetrics(input: unknown): RunMetrics {
  if (input === null || typeof input !== "object" || Array.isArray(input)) throw new TrackingInputError("metrics must be a JSON object");
  const parsed = metricsSchema.safeParse(nonFiniteToNull(input));
  if (!parsed.success) throw new TrackingInputError(`invalid metrics: ${oneLine(parsed.error.issues)}`);
  return toJsonObject(parsed.data, "metrics") as RunMetrics;
}
