// GET /v1/verification: forecast verification as JSON, for the dashboard's chart and for anyone who
// wants to check the model — hindcasts by the production model for the issue hours after its
// training cutoff (src/verification/hindcast.ts), next to the observations and the persistence,
// KMA and climatology baselines for the same hours, with scores and a trailing rolling RMSE.
// Mounted on the API app with one line (registerVerification(app, deps)).
import { createRoute, z } from "@hono/zod-openapi";
import { DAY_MS, HOUR_MS } from "../model/series.ts";
import type { ErrorStats } from "../model/metrics.ts";
import { isReplayClock } from "../time/replay-clock.ts";
import { hindcast, hindcastWindow, rollingRmse, scoreHindcast } from "../verification/hindcast.ts";
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
    }),
    scores: z
      .object({
        n: z.number().int().openapi({ description: "hours with an observation and a model forecast" }),
        model: Stats,
        persistence: Stats,
        climatology: Stats,
        kma: Stats.extend({ model_rmse: z.number(), persistence_rmse: z.number() }).nullable().openapi({ description: "on the hours with a KMA forecast, or null" }),
        skill_vs_persistence: z.number().nullable().openapi({ description: "1 - rmse / persistence rmse" }),
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
      }),
    ),
  })
  .openapi("Verification");

const route = createRoute({
  method: "get",
  path: "/v1/verification",
  tags: ["forecast"],
  summary: "Forecast verification: hindcasts of the production model against observations and baselines",
  description:
    "For every issue hour of the last `days` days after the production model's training cutoff (its data_until), the forecast the model gives from the data up to that hour (a hindcast: the model never saw those temperatures), the temperature observed 24 h later, and the persistence, KMA and climatology forecasts for the same hour. Scores are over the hours with an observation; the rolling RMSE trails over `rolling_hours`.",
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
    const loaded = await deps.models.get(location.id);
    const now = deps.clock.now().getTime();
    const w = hindcastWindow(Date.parse(loaded.artifact.trainedBefore), now, days);
    // Enough history before the first issue hour for the longest feature (the forecast's own window).
    const lookbackMs = deps.forecasts.options.windowDays * DAY_MS;
    const series = await loadHindcastSeries(deps.db, location.id, w, lookbackMs + HOUR_MS);
    const h = hindcast(loaded, series, w);
    const rolling = rollingRmse(h.hours, rollingHours);
    const v = scoreHindcast(h.hours);
    const body: z.infer<typeof VerificationResponse> = {
      location: { id: location.id, name: location.name },
      now: iso(now),
      clock: isReplayClock(deps.clock) ? { mode: "replay", reason: deps.clock.replay.reason } : { mode: "real", reason: null },
      kind: "hindcast",
      description: `Hindcasts: what production model ${loaded.version} forecasts for each issue hour after its training data ended (${loaded.artifact.trainedBefore}), from the data up to that hour only; it never saw the temperatures it is scored against.`,
      model: modelSummary(loaded),
      window: { issued_from: iso(w.from), issued_to: iso(w.to), days, rolling_hours: rollingHours },
      scores: v && {
        n: v.n,
        model: stats(v.model),
        persistence: stats(v.persistence),
        climatology: stats(v.climatology),
        kma: v.kma ? { ...stats(v.kma), model_rmse: round(v.kma.model_rmse, 3)!, persistence_rmse: round(v.kma.persistence_rmse, 3)! } : null,
        skill_vs_persistence: round(v.skill, 4),
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
      })),
    };
    return c.json(body, 200);
  });
}
