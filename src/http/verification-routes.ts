// GET /v1/verification: forecast verification as JSON, for the dashboard's chart and for anyone who
// wants to check the model — hindcasts by the production model for the issue hours after its
// training cutoff (src/verification/hindcast.ts), next to the observations and the persistence,
// KMA and climatology baselines for the same hours, with scores and a trailing rolling RMSE.
// Mounted on the API app with one line (registerVerification(app, deps)).
import { createRoute, z } from "@hono/zod-openapi";
import { DAY_MS, HOUR_MS } from "../model/series.ts";
import type { ErrorStats } from "../model/metrics.ts";
import { isReplayClock } from "../time/replay-clock.ts";
import { coverage, hindcast, hindcastLead, hindcastWindow, rollingRmse, scoreHindcast } from "../verification/hindcast.ts";
import { HORIZON_HOURS } from "../model/features.ts";
import { MAX_LEAD_HOURS } from "../model/lead-features.ts";
import { ApiError } from "./api-errors.ts";
import { loadHindcastSeries } from "../verification/hindcast-inputs.ts";
import type { Api, ApiDeps } from "./api-deps.ts";
import { errorResponses, LocationId, ModelSummary } from "./api-schemas.ts";
import { knownLocation } from "./routes/forecast.ts";
import { modelSummary } from "./routes/model-summary.ts";

export const VERIFICATION_DEFAULT_DAYS = 14;
export const VERIFICATION_MAX_DAYS = 60;
export const ROLLING_DEFAULT_HOURS = 72;

const Iso = z.string().openapi({ description: "UTC instant, ISO 8601" });
const C = z.number().nullable();

export const VerificationQuery = z.object({
  location: LocationId.optional().openapi({ description: "location id (default: the configured default location)" }),
  days: z.coerce
    .number()
    .int()
    .min(1)
    .max(VERIFICATION_MAX_DAYS)
    .optional()
    .openapi({ description: `issue hours of the last N days (default ${VERIFICATION_DEFAULT_DAYS}), never before the model's training cutoff` }),
  rolling_hours: z.coerce
    .number()
    .int()
    .min(6)
    .max(24 * 14)
    .optional()
    .openapi({ description: `trailing window of the rolling RMSE, hours (default ${ROLLING_DEFAULT_HOURS})` }),
  lead: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_LEAD_HOURS)
    .optional()
    .openapi({
      description: `lead time of the hindcasts, 1..${MAX_LEAD_HOURS} h (default ${HORIZON_HOURS}); a version from before the 1..48 h set has only ${HORIZON_HOURS}`,
    }),
});

const Interval = z.object({ coverage: z.number().nullable(), mean_width: z.number().nullable() });
const LeadScores = z.object({
  lead_hours: z.number().int(),
  n: z.number().int(),
  model: z.number().nullable(),
  persistence: z.number().nullable(),
  diurnal_persistence: z.number().nullable(),
  climatology: z.number().nullable(),
  kma: z.number().nullable(),
  interval80: Interval,
  interval95: Interval,
});

const Stats = z.object({ n: z.number().int(), rmse: z.number().nullable(), mae: z.number().nullable(), bias: z.number().nullable() });

export const VerificationResponse = z
  .object({
    location: z.object({ id: z.string(), name: z.string() }),
    now: Iso.openapi({ description: "the server's current time (a replay clock in the offline demo)" }),
    clock: z.object({
      mode: z.enum(["real", "replay"]).openapi({ description: "replay: the server's clock is frozen in the past (the offline demo on bundled data)" }),
      reason: z.string().nullable(),
    }),
    kind: z.literal("hindcast"),
    description: z.string(),
    model: ModelSummary,
    window: z.object({
      issued_from: Iso.openapi({ description: "first issue hour (>= the model's data_until)" }),
      issued_to: Iso.openapi({ description: "end of the issue hours (exclusive)" }),
      days: z.number().int(),
      rolling_hours: z.number().int(),
      lead_hours: z.number().int(),
    }),
    scores: z
      .object({
        n: z.number().int().openapi({ description: "hours with an observation and a model forecast" }),
        model: Stats,
        persistence: Stats,
        climatology: Stats,
        kma: Stats.extend({ model_rmse: z.number(), persistence_rmse: z.number() })
          .nullable()
          .openapi({ description: "on the hours with a KMA forecast, or null" }),
        skill_vs_persistence: z.number().nullable().openapi({ description: "1 - rmse / persistence rmse" }),
        coverage80: z.number().nullable().openapi({ description: "share of the observed hours inside the 80 % interval (1..48 h set only)" }),
        coverage95: z.number().nullable(),
      })
      .nullable()
      .openapi({ description: "null when no hour in the window has been observed yet" }),
    hours: z.array(
      z.object({
        valid_at: Iso,
        issued_at: Iso,
        observed_c: C,
        model_c: C.openapi({ description: "the production model's hindcast issued 24 h earlier" }),
        persistence_c: C,
        kma_c: C,
        climatology_c: C,
        rolling_rmse: z.object({ model: C, persistence: C, kma: C }),
        diurnal_persistence_c: C.openapi({ description: "1..48 h set only (else null)" }),
        p10_c: C,
        p90_c: C,
        p025_c: C,
        p975_c: C,
      }),
    ),
    by_lead: z
      .object({ from: Iso, to: Iso, leads: z.array(LeadScores) })
      .nullable()
      .openapi({
        description:
          "RMSE (°C) per lead of the model and each baseline, and interval coverage, on the production version's training holdout (stored when it was trained); null for a version without them",
      }),
    quality: z
      .object({
        flagged_observations: z
          .number()
          .int()
          .openapi({ description: "stored observation rows of the location with a quality flag (implausible value, isolated spike): kept, never used" }),
        by_field: z.record(z.string(), z.number().int()),
      })
      .openapi({ description: "quality flags set at import (column observations.qc_flags)" }),
  })
  .openapi("Verification");

const route = createRoute({
  method: "get",
  path: "/v1/verification",
  tags: ["forecast"],
  summary: "Forecast verification: hindcasts of the production model against observations and baselines",
  description:
    "For every issue hour of the last `days` days after the production model's training cutoff (its data_until), the forecast the model gives from the data up to that hour at lead `lead` (a hindcast: the model never saw those temperatures; with the 80 %/95 % intervals of the 1..48 h set), the temperature observed `lead` hours later, and the persistence, KMA and climatology forecasts for the same hour. Scores are over the hours with an observation; the rolling RMSE trails over `rolling_hours`. `by_lead`: the version's stored holdout scores per lead; `quality`: the location's quality-flagged observations.",
  request: { query: VerificationQuery },
  responses: {
    200: { description: "the verification", content: { "application/json": { schema: VerificationResponse } } },
    ...errorResponses(400, 404, 503),
  },
});

const round = (x: number | null, digits = 2): number | null => (x === null || !Number.isFinite(x) ? null : Math.round(x * 10 ** digits) / 10 ** digits);
const iso = (t: number) => new Date(t).toISOString();
const stats = (s: ErrorStats) => ({ n: s.n, rmse: round(s.rmse, 3), mae: round(s.mae, 3), bias: round(s.bias, 3) });

export function registerVerification(app: Api, deps: ApiDeps): void {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const location = knownLocation(deps, q.location);
    const days = q.days ?? VERIFICATION_DEFAULT_DAYS;
    const rollingHours = q.rolling_hours ?? ROLLING_DEFAULT_HOURS;
    const lead = q.lead ?? HORIZON_HOURS;
    const loaded = await deps.models.get(location.id);
    if (!loaded.hourly && lead !== HORIZON_HOURS) {
      throw new ApiError(
        400,
        "invalid_request",
        `the production model ${loaded.version} has no 1..48 h set (trained before it): only lead=${HORIZON_HOURS} can be verified`,
        { lead_hours: lead },
      );
    }
    const now = deps.clock.now().getTime();
    const trainedBefore = Date.parse((loaded.hourly?.artifact ?? loaded.artifact).trainedBefore);
    const w = hindcastWindow(Math.max(trainedBefore, Date.parse(loaded.artifact.trainedBefore)), now, days);
    // Enough history before the first issue hour for the longest feature (the forecast's own window).
    const lookbackMs = deps.forecasts.options.windowDays * DAY_MS;
    const [series, quality] = await Promise.all([loadHindcastSeries(deps.db, location.id, w, lookbackMs + HOUR_MS, lead), qualityCounts(deps, location.id)]);
    const h = loaded.hourly ? hindcastLead({ version: loaded.version, ...loaded.hourly }, series, w, lead) : hindcast(loaded, series, w);
    const rolling = rollingRmse(h.hours, rollingHours);
    const v = scoreHindcast(h.hours);
    const body: z.infer<typeof VerificationResponse> = {
      location: { id: location.id, name: location.name },
      now: iso(now),
      clock: isReplayClock(deps.clock) ? { mode: "replay", reason: deps.clock.replay.reason } : { mode: "real", reason: null },
      kind: "hindcast",
      description: `Hindcasts: what production model ${loaded.version} forecasts for each issue hour after its training data ended (${loaded.artifact.trainedBefore}), from the data up to that hour only; it never saw the temperatures it is scored against.`,
      model: modelSummary(loaded),
      window: { issued_from: iso(w.from), issued_to: iso(w.to), days, rolling_hours: rollingHours, lead_hours: lead },
      scores: v && {
        n: v.n,
        model: stats(v.model),
        persistence: stats(v.persistence),
        climatology: stats(v.climatology),
        kma: v.kma ? { ...stats(v.kma), model_rmse: round(v.kma.model_rmse, 3)!, persistence_rmse: round(v.kma.persistence_rmse, 3)! } : null,
        skill_vs_persistence: round(v.skill, 4),
        coverage80: round(coverage(h.hours, "p10", "p90").coverage, 4),
        coverage95: round(coverage(h.hours, "p025", "p975").coverage, 4),
      },
      hours: h.hours.map((x, i) => ({
        valid_at: iso(x.validAt),
        issued_at: iso(x.issuedAt),
        observed_c: round(x.observed),
        model_c: round(x.model),
        persistence_c: round(x.persistence),
        kma_c: round(x.kma),
        climatology_c: round(x.climatology),
        rolling_rmse: { model: round(rolling.model[i]!, 3), persistence: round(rolling.persistence[i]!, 3), kma: round(rolling.kma[i]!, 3) },
        diurnal_persistence_c: round(x.diurnal ?? null),
        p10_c: round(x.p10 ?? null),
        p90_c: round(x.p90 ?? null),
        p025_c: round(x.p025 ?? null),
        p975_c: round(x.p975 ?? null),
      })),
      by_lead: loaded.holdoutLeads && {
        from: loaded.holdoutLeads.from,
        to: loaded.holdoutLeads.to,
        leads: loaded.holdoutLeads.leads.map((l) => ({
          lead_hours: l.lead_hours,
          n: l.n,
          model: round(l.model.rmse, 3),
          persistence: round(l.persistence.rmse, 3),
          diurnal_persistence: round(l.diurnal_persistence.rmse, 3),
          climatology: round(l.climatology.rmse, 3),
          kma: l.kma ? round(l.kma.rmse, 3) : null,
          interval80: { coverage: round(l.interval80.coverage, 4), mean_width: round(l.interval80.mean_width, 3) },
          interval95: { coverage: round(l.interval95.coverage, 4), mean_width: round(l.interval95.mean_width, 3) },
        })),
      },
      quality,
    };
    return c.json(body, 200);
  });
}

/** How many stored observation rows of the location carry a quality flag, in total and per field. */
async function qualityCounts(deps: ApiDeps, location: string): Promise<{ flagged_observations: number; by_field: Record<string, number> }> {
  const rs = await deps.db.execute({
    sql: `SELECT f.key AS field, count(*) AS n, (SELECT count(*) FROM observations WHERE location_id = ? AND qc_flags IS NOT NULL) AS total
          FROM observations AS o, json_each(o.qc_flags) AS f WHERE o.location_id = ? AND o.qc_flags IS NOT NULL GROUP BY f.key ORDER BY f.key`,
    args: [location, location],
  });
  return { flagged_observations: Number(rs.rows[0]?.total ?? 0), by_field: Object.fromEntries(rs.rows.map((r) => [String(r.field), Number(r.n)])) };
}
