// Data quality at import: flags values that are physically implausible or isolated spikes. A flag
// never changes or drops the value: the raw value is stored as read, and the flag goes into the row's
// `qc_flags` (migration 0004, a JSON object field -> flag). The observations_best view and the
// serving/verification reader skip a flagged value for that field (the next source's value, or
// missing), so training and verification never see it; the import summary counts every flag.
//
// Rules (temperature is the training target; dew point feeds it):
// - implausible: temperature_c outside -45..45 °C, dew_point_c outside -60..35 °C. Korea's records
//   are -32.6 °C (Yangpyeong 1981) and 41.0 °C (Hongcheon 2018); the world's highest dew point is
//   ~35 °C. The schema's wider CHECKs (-80..60) only refuse impossible numbers and sentinels.
// - spike (temperature_c): at hour t with both neighbours t-1 h and t+1 h present and not implausible,
//   |T(t) - T(t-1)| > K and |T(t) - T(t+1)| > K while |T(t-1) - T(t+1)| <= M, with K = 4 °C and
//   M = 2 °C. A real hour-to-hour change above 4 °C happens (sunrise on a clear winter morning, a
//   gust front), but then the air does not snap back to within 2 °C of where it was an hour later:
//   that V shape is a sensor or transcription fault. The Seoul bike file has 5.8 -> 0.0 -> 5.2 °C
//   at 2018-11-29 18:00 KST (|d| 5.8 and 5.2 > 4, neighbours 0.6 apart); quality.test.ts holds the
//   counts of both real data sets under these thresholds.
// Spikes are looked for within one import's rows of one location (sorted by hour); a spike on the
// first or last hour of a file, or next to a gap, is not detectable and not flagged.
import type { ObservationField } from "../../db/observations.ts";

export type QcFlag = "implausible" | "spike";
export type QcFlags = Partial<Record<ObservationField, QcFlag>>;

export const QC_RULES = {
  plausible: { temperature_c: { min: -45, max: 45 }, dew_point_c: { min: -60, max: 35 } } as Partial<Record<ObservationField, { min: number; max: number }>>,
  spike: { field: "temperature_c" as const, k: 4, m: 2 },
};

/** Flag counts: `{ temperature_c: { spike: 1 } }`. */
export type QcCounts = Partial<Record<ObservationField, Partial<Record<QcFlag, number>>>>;

interface QcRow {
  /** UTC hour, '2018-11-29T09:00:00Z' (ISO text sorts by time). */
  observedAt: string;
  values: Partial<Record<ObservationField, number | null>>;
}

const HOUR_MS = 3_600_000;

/**
 * The flags of each row (same order as `rows`; undefined = no flag). Rows must be one location's,
 * at most one per hour, in any order.
 */
export function qualityFlags(rows: readonly QcRow[], rules = QC_RULES): (QcFlags | undefined)[] {
  const out: (QcFlags | undefined)[] = rows.map(() => undefined);
  const flag = (i: number, field: ObservationField, f: QcFlag) => {
    out[i] = { ...out[i], [field]: f };
  };
  rows.forEach((r, i) => {
    for (const [field, range] of Object.entries(rules.plausible) as [ObservationField, { min: number; max: number }][]) {
      const v = r.values[field];
      if (typeof v === "number" && (v < range.min || v > range.max)) flag(i, field, "implausible");
    }
  });
  const { field, k, m } = rules.spike;
  const order = rows.map((r, i) => ({ t: Date.parse(r.observedAt), i })).sort((a, b) => a.t - b.t);
  const usable = (i: number): number | undefined => {
    const v = rows[i]!.values[field];
    return typeof v === "number" && out[i]?.[field] === undefined ? v : undefined;
  };
  for (let j = 1; j + 1 < order.length; j++) {
    const prev = order[j - 1]!;
    const cur = order[j]!;
    const next = order[j + 1]!;
    if (cur.t - prev.t !== HOUR_MS || next.t - cur.t !== HOUR_MS) continue;
    const a = usable(prev.i);
    const t = usable(cur.i);
    const b = usable(next.i);
    if (a === undefined || t === undefined || b === undefined) continue;
    if (Math.abs(t - a) > k && Math.abs(t - b) > k && Math.abs(a - b) <= m) flag(cur.i, field, "spike");
  }
  return out;
}

/** Adds the flags up per field and flag. */
export function countFlags(flags: readonly (QcFlags | undefined)[], into: QcCounts = {}): QcCounts {
  for (const f of flags) {
    if (!f) continue;
    for (const [field, flag] of Object.entries(f) as [ObservationField, QcFlag][]) {
      const c = (into[field] ??= {});
      c[flag] = (c[flag] ?? 0) + 1;
    }
  }
  return into;
}

/** 'temperature_c: 1 spike, 2 implausible; dew_point_c: 1 implausible' or 'none'. */
export function formatQcCounts(counts: QcCounts): string {
  const parts = Object.entries(counts).map(
    ([field, c]) =>
      `${field}: ${Object.entries(c!)
        .map(([flag, n]) => `${n} ${flag}`)
        .join(", ")}`,
  );
  return parts.length ? parts.join("; ") : "none";
}
