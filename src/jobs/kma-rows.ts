// KMA records (src/kma) -> database rows (src/db): the nowcast as an observation of its hour, the
// short-term forecast as one forecast row per value, ASOS hours as observations.
//
// Choices:
//   - getUltraSrtNcst: T1H -> temperature_c, REH -> humidity_pct, WSD -> wind_speed_ms, VEC ->
//     wind_dir_deg, UUU/VVV -> wind_u_ms/wind_v_ms, RN1 -> precipitation_mm (the hour ending at the
//     base time; '강수없음' = 0), PTY -> precipitation_type. Unknown categories are ignored.
//   - ASOS: vs is in units of 10 m (visibility_m = vs * 10); a value whose QC flag is 1 (KMA:
//     error) is stored as NULL, like one flagged 9 (missing), which KMA already leaves empty.
//     Wind u/v are not derived: only what the source reported is stored.
//   - A value outside the schema's range is an ObservationValueError naming field and hour: the
//     whole payload is refused (a KMA payload with an impossible value is not half-trusted).
import type { ForecastRow } from "../db/forecasts.ts";
import type { ObservationField, ObservationRow } from "../db/observations.ts";
import type { AsosHourlyObservation, ForecastRecord } from "../kma/records.ts";
import { ObservationValueError, observationValueProblem } from "./observation-ranges.ts";

const NOWCAST_FIELDS: Readonly<Record<string, ObservationField>> = {
  T1H: "temperature_c",
  REH: "humidity_pct",
  WSD: "wind_speed_ms",
  VEC: "wind_dir_deg",
  UUU: "wind_u_ms",
  VVV: "wind_v_ms",
  RN1: "precipitation_mm",
  PTY: "precipitation_type",
};

/** ASOS item field -> column and scale. */
export const ASOS_COLUMNS: readonly (readonly [keyof AsosHourlyObservation & string, ObservationField, number])[] = [
  ["ta", "temperature_c", 1],
  ["hm", "humidity_pct", 1],
  ["ws", "wind_speed_ms", 1],
  ["wd", "wind_dir_deg", 1],
  ["rn", "precipitation_mm", 1],
  ["pa", "pressure_hpa", 1],
  ["ps", "sea_level_pressure_hpa", 1],
  ["td", "dew_point_c", 1],
  ["pv", "vapor_pressure_hpa", 1],
  ["dc10Tca", "total_cloud_tenths", 1],
  ["ss", "sunshine_hr", 1],
  ["icsr", "solar_radiation_mj_m2", 1],
  ["vs", "visibility_m", 10],
  ["dsnw", "snow_depth_cm", 1],
  ["ts", "ground_temp_c", 1],
];

function checked(field: ObservationField, value: number | null, where: string): number | null {
  const problem = observationValueProblem(field, value);
  if (problem) throw new ObservationValueError(`${where}: ${problem}`);
  return value;
}

/** Round away binary noise from scaling (vs * 10 on values like 16.27). */
const scale = (v: number | null, k: number): number | null => (v === null || k === 1 ? v : Math.round(v * k * 1e6) / 1e6);

export interface RowProvenance {
  locationId: string;
  ingestRunId: number;
  rawRef: string;
}

/** The nowcast's records (one base hour) -> one observation row, source ultra_srt_ncst. */
export function nowcastObservation(records: readonly ForecastRecord[], p: RowProvenance): ObservationRow {
  if (records.length === 0) throw new ObservationValueError("getUltraSrtNcst returned no values");
  const observedAt = records[0]!.validAt;
  const values: ObservationRow["values"] = {};
  for (const r of records) {
    if (r.validAt !== observedAt) throw new ObservationValueError(`getUltraSrtNcst mixes hours ${observedAt} and ${r.validAt}`);
    const field = NOWCAST_FIELDS[r.category];
    if (field === undefined) continue;
    values[field] = checked(field, r.value, `getUltraSrtNcst ${observedAt} ${r.category}="${r.raw}"`);
  }
  return { locationId: p.locationId, observedAt, source: "ultra_srt_ncst", values, ingestRunId: p.ingestRunId, rawRef: p.rawRef };
}

/** getVilageFcst / getUltraSrtFcst records -> forecast rows (one per category and hour). */
export function forecastRows(records: readonly ForecastRecord[], p: RowProvenance): ForecastRow[] {
  return records.map((r) => {
    if (r.product !== "vilageFcst" && r.product !== "ultraSrtFcst") throw new TypeError(`not a forecast product: ${r.product}`);
    return {
      locationId: p.locationId,
      product: r.product === "vilageFcst" ? "vilage_fcst" : "ultra_srt_fcst",
      issuedAt: r.issuedAt,
      validAt: r.validAt,
      category: r.category,
      value: r.value,
      valueText: r.raw,
      ingestRunId: p.ingestRunId,
      rawRef: p.rawRef,
    };
  });
}

/** ASOS hourly records -> observation rows, source asos. */
export function asosObservations(records: readonly AsosHourlyObservation[], p: RowProvenance): ObservationRow[] {
  return records.map((r) => {
    const values: ObservationRow["values"] = {};
    for (const [item, field, k] of ASOS_COLUMNS) {
      const raw = r[item] as number | null;
      const flaggedError = r.qc[item] === "1";
      values[field] = flaggedError ? null : checked(field, scale(raw, k), `ASOS ${r.observedAt} ${item}=${raw}`);
    }
    return { locationId: p.locationId, observedAt: r.observedAt, source: "asos" as const, values, ingestRunId: p.ingestRunId, rawRef: p.rawRef };
  });
}
