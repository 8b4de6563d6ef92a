// Writing hourly observations (table `observations`, see migrations/README.md). One row per
// (location, hour, source) holds everything that source reported for that hour; re-ingesting the
// same report changes nothing, a corrected report replaces the values and the provenance.
import type { HourlyObservation } from "../model/series.ts";
import type { Database, InValue } from "../ports/database.ts";
import type { UpsertStatements } from "./upsert-counts.ts";
import { toUtcHour, toUtcSecondFloor } from "./utc-time.ts";

/** The measurement columns, in table order. All nullable; units are in the names. */
export const OBSERVATION_FIELDS = [
  "temperature_c",
  "humidity_pct",
  "wind_speed_ms",
  "wind_dir_deg",
  "wind_u_ms",
  "wind_v_ms",
  "precipitation_mm",
  "precipitation_type",
  "pressure_hpa",
  "sea_level_pressure_hpa",
  "dew_point_c",
  "vapor_pressure_hpa",
  "total_cloud_tenths",
  "sunshine_hr",
  "solar_radiation_mj_m2",
  "visibility_m",
  "snow_depth_cm",
  "ground_temp_c",
] as const;

export type ObservationField = (typeof OBSERVATION_FIELDS)[number];

/** observations(_best) column -> series field (read by training's loadSeries and serving's packed window). Units already match (°C, %, m/s, deg, mm, hPa, ...); visibility is converted apart. */
export const COLUMN_FIELD = {
  temperature_c: "temperature",
  humidity_pct: "humidity",
  wind_speed_ms: "windSpeed",
  wind_dir_deg: "windDirection",
  precipitation_mm: "precipitation",
  dew_point_c: "dewPoint",
  vapor_pressure_hpa: "vaporPressure",
  pressure_hpa: "pressure",
  sea_level_pressure_hpa: "seaLevelPressure",
  sunshine_hr: "sunshine",
  snow_depth_cm: "snowDepth",
  total_cloud_tenths: "cloudCover",
  ground_temp_c: "groundTemperature",
  solar_radiation_mj_m2: "solarRadiation",
} as const satisfies Partial<Record<ObservationField, keyof HourlyObservation>>;

/** Seeded by migration 0001 with precedence asos (1) > ultra_srt_ncst (2) > import (3). */
export type ObservationSource = "asos" | "ultra_srt_ncst" | "import";

export interface ObservationRow {
  locationId: string;
  /** The hour (UTC instant on the hour; any ISO form or Date). */
  observedAt: Date | string;
  source: ObservationSource;
  /** Fields the source did not report are NULL (omitted or null). Never KMA sentinels (±900). */
  values: Partial<Record<ObservationField, number | null>>;
  ingestRunId?: number | null;
  /** Object-store key of the raw payload the values came from. */
  rawRef?: string | null;
  /**
   * Quality flags (migration 0004): field -> flag ('spike', 'implausible') for values kept as read but
   * not to be used (observations_best skips them). Omitted/empty = none.
   */
  qcFlags?: Partial<Record<ObservationField, string>> | null;
}

/** The qc_flags text: a JSON object in column order (so equal flags give equal text), or null. */
export function qcFlagsText(flags: Partial<Record<ObservationField, string>> | null | undefined): string | null {
  if (!flags) return null;
  const entries = OBSERVATION_FIELDS.flatMap((f) => (flags[f] !== undefined ? [[f, flags[f]] as const] : []));
  for (const k of Object.keys(flags)) {
    if (!(OBSERVATION_FIELDS as readonly string[]).includes(k)) throw new RangeError(`unknown observation field ${JSON.stringify(k)} in qc flags`);
  }
  return entries.length ? JSON.stringify(Object.fromEntries(entries)) : null;
}

function checkValue(field: string, v: number | null | undefined): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== "number" || !Number.isFinite(v)) throw new RangeError(`observation ${field} must be a finite number or null, got ${String(v)}`);
  return v;
}

const COLUMNS = ["location_id", "observed_at", "source", ...OBSERVATION_FIELDS, "qc_flags", "ingest_run_id", "raw_ref", "ingested_at", "updated_at"] as const;

// Built once: every row's statements share the same text (a file of 17,544 rows made 35,000 copies).
const INSERT_SQL = `INSERT INTO observations (${COLUMNS.join(", ")}) VALUES (${COLUMNS.map((c) => `:${c}`).join(", ")})
ON CONFLICT (location_id, observed_at, source) DO NOTHING`;
const UPDATE_SQL = `UPDATE observations SET ${OBSERVATION_FIELDS.map((f) => `${f} = :${f}`).join(", ")}, qc_flags = :qc_flags, ingest_run_id = :ingest_run_id, raw_ref = :raw_ref, updated_at = max(:updated_at, ingested_at)
WHERE location_id = :location_id AND observed_at = :observed_at AND source = :source
  AND (${OBSERVATION_FIELDS.map((f) => `${f} IS NOT :${f}`).join(" OR ")} OR qc_flags IS NOT :qc_flags)`;

/**
 * Insert-if-new and update-if-different statements for one observation row (see upsert-counts.ts).
 * Only a change in a measurement counts as different: re-fetching the same report (which gets a new
 * raw_ref and run id) changes nothing. When values (or the quality flags) do change, all of them are
 * replaced by the new report (a field it does not carry becomes NULL) and ingest_run_id / raw_ref /
 * updated_at follow.
 */
export function observationUpsert(row: ObservationRow, now: Date): UpsertStatements {
  const t = toUtcSecondFloor(now, "now");
  const args: Record<string, InValue> = {
    location_id: row.locationId,
    observed_at: toUtcHour(row.observedAt, "observedAt"),
    source: row.source,
    ingest_run_id: row.ingestRunId ?? null,
    raw_ref: row.rawRef ?? null,
    qc_flags: qcFlagsText(row.qcFlags),
    ingested_at: t,
    updated_at: t,
  };
  for (const f of OBSERVATION_FIELDS) args[f] = checkValue(f, row.values[f]);
  for (const k of Object.keys(row.values)) {
    if (!(OBSERVATION_FIELDS as readonly string[]).includes(k)) throw new RangeError(`unknown observation field ${JSON.stringify(k)}`);
  }
  const insert = { sql: INSERT_SQL, args };
  const { ingested_at: _unused, ...updateArgs } = args;
  const update = {
    sql: UPDATE_SQL,
    args: updateArgs,
  };
  return { insert, update };
}

/**
 * The newest hour with an observed temperature for the location, as stored (ISO UTC, e.g.
 * "2018-11-30T14:00:00Z"), or null when there is none; with `before`, the newest strictly before it.
 * The one "newest observation" read: /healthz, the forecast's stale-input answer and `nalssi start`.
 */
export async function newestObservedAt(db: Pick<Database, "execute">, location: string, before?: Date): Promise<string | null> {
  const rs = await db.execute(
    before === undefined
      ? { sql: "SELECT max(observed_at) AS t FROM observations WHERE location_id = ? AND temperature_c IS NOT NULL", args: [location] }
      : {
          sql: "SELECT max(observed_at) AS t FROM observations WHERE location_id = ? AND temperature_c IS NOT NULL AND observed_at < ?",
          args: [location, toUtcSecondFloor(before, "before")],
        },
  );
  const t = rs.rows[0]?.t;
  return t === null || t === undefined ? null : String(t);
}
