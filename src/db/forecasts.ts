// Writing KMA forecast values (table `forecasts`, see migrations/README.md): one row per
// (location, product, issue time, valid hour, category), with the parsed number and the string KMA sent.
import type { UpsertStatements } from "./upsert-counts.ts";
import { toUtcHour, toUtcSecond, toUtcSecondFloor } from "./utc-time.ts";

export type ForecastProductName = "vilage_fcst" | "ultra_srt_fcst";

/** The KMA operation each product name stands for (the names src/kma uses). */
export const FORECAST_PRODUCT_BY_KMA_NAME = { vilageFcst: "vilage_fcst", ultraSrtFcst: "ultra_srt_fcst" } as const satisfies Record<
  string,
  ForecastProductName
>;

export interface ForecastRow {
  locationId: string;
  product: ForecastProductName;
  /** base_date + base_time as a UTC instant. */
  issuedAt: Date | string;
  /** fcstDate + fcstTime as a UTC instant (on the hour). */
  validAt: Date | string;
  /** KMA category code (TMP, REH, PCP ...). */
  category: string;
  /** The number valueText means, or null (missing, qualitative, not understood). */
  value: number | null;
  /** The value exactly as KMA sent it. */
  valueText: string;
  ingestRunId?: number | null;
  rawRef?: string | null;
}

const COLUMNS = [
  "location_id",
  "product",
  "issued_at",
  "valid_at",
  "category",
  "value",
  "value_text",
  "ingest_run_id",
  "raw_ref",
  "ingested_at",
  "updated_at",
] as const;

/**
 * Insert-if-new and update-if-different statements for one forecast value (see upsert-counts.ts).
 * KMA does not revise an issued forecast, so a difference means a parsing change on our side; the
 * new value then replaces the old one and the provenance follows.
 */
export function forecastUpsert(row: ForecastRow, now: Date): UpsertStatements {
  if (row.value !== null && (typeof row.value !== "number" || !Number.isFinite(row.value))) {
    throw new RangeError(`forecast ${row.category} value must be a finite number or null, got ${String(row.value)}`);
  }
  const t = toUtcSecondFloor(now, "now");
  const args = {
    location_id: row.locationId,
    product: row.product,
    issued_at: toUtcSecond(row.issuedAt, "issuedAt"),
    valid_at: toUtcHour(row.validAt, "validAt"),
    category: row.category,
    value: row.value,
    value_text: row.valueText,
    ingest_run_id: row.ingestRunId ?? null,
    raw_ref: row.rawRef ?? null,
    ingested_at: t,
    updated_at: t,
  };
  const { ingested_at: _ingestedAt, ...updateArgs } = args;
  return {
    insert: {
      sql: `INSERT INTO forecasts (${COLUMNS.join(", ")}) VALUES (${COLUMNS.map((c) => `:${c}`).join(", ")})
ON CONFLICT (location_id, product, issued_at, valid_at, category) DO NOTHING`,
      args,
    },
    update: {
      sql: `UPDATE forecasts SET value = :value, value_text = :value_text, ingest_run_id = :ingest_run_id, raw_ref = :raw_ref, updated_at = max(:updated_at, ingested_at)
WHERE location_id = :location_id AND product = :product AND issued_at = :issued_at AND valid_at = :valid_at AND category = :category
  AND (value IS NOT :value OR value_text IS NOT :value_text)`,
      args: updateArgs,
    },
  };
}
