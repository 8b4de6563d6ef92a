// The per-lead holdout scores of a model version, read from its metrics.json (metrics.holdout.leads
// and .pooled, written by the training pipeline's evaluate step: src/jobs/train/pipeline.ts). Shown
// by the dashboard's verification-by-lead charts. A version from before the 1..48 h models (or one
// whose metrics.json is unreadable) has none: null, never a refusal (the scores are information).
import { z } from "zod";

// JSON turns NaN into null: every score may be null.
const n = z.number().nullable();
const interval = z.looseObject({ coverage: n, mean_width: n });
const lead = z.looseObject({
  lead_hours: z.number().int().min(1),
  n: z.number().int().nonnegative(),
  model: z.looseObject({ rmse: n, mae: n, bias: n }),
  persistence: z.looseObject({ rmse: n }),
  diurnal_persistence: z.looseObject({ rmse: n }),
  climatology: z.looseObject({ rmse: n }),
  kma: z.looseObject({ rmse: n, n: z.number().int().nonnegative() }).nullable(),
  interval80: interval,
  interval95: interval,
});
const metricsSchema = z.looseObject({
  holdout: z.looseObject({
    from: z.string(),
    to: z.string(),
    leads: z.array(lead).min(1),
    pooled: z.looseObject({ interval80: interval, interval95: interval }).optional(),
  }),
});

export interface HoldoutLeads {
  from: string;
  to: string;
  leads: z.infer<typeof lead>[];
  pooled: { interval80: z.infer<typeof interval>; interval95: z.infer<typeof interval> } | null;
}

/** The per-lead scores in a metrics.json text, or null when it has none. */
export function holdoutLeadsOf(metricsText: string): HoldoutLeads | null {
  let json: unknown;
  try {
    json = JSON.parse(metricsText);
  } catch {
    return null;
  }
  const parsed = metricsSchema.safeParse(json);
  if (!parsed.success) return null;
  const h = parsed.data.holdout;
  return { from: h.from, to: h.to, leads: [...h.leads].sort((a, b) => a.lead_hours - b.lead_hours), pooled: h.pooled ?? null };
}
