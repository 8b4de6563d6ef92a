// The plausible range of each observation column, exactly the CHECK constraints of migration 0001
// (observation-ranges.test.ts holds the two together against a real database). Rows are checked
// here first so that a bad value is reported with its field (and, for imports, its line and
// column) instead of failing a whole batch on a CHECK constraint.
import type { ObservationField } from "../db/observations.ts";

export interface FieldRange {
  min: number;
  max: number;
  /** Whole numbers only (INTEGER column). */
  integer?: boolean;
}

export const OBSERVATION_RANGES: Readonly<Record<ObservationField, FieldRange>> = {
  temperature_c: { min: -80, max: 60 },
  humidity_pct: { min: 0, max: 100 },
  wind_speed_ms: { min: 0, max: 120 },
  wind_dir_deg: { min: 0, max: 360 },
  wind_u_ms: { min: -120, max: 120 },
  wind_v_ms: { min: -120, max: 120 },
  precipitation_mm: { min: 0, max: 500 },
  precipitation_type: { min: 0, max: 7, integer: true },
  pressure_hpa: { min: 500, max: 1100 },
  sea_level_pressure_hpa: { min: 850, max: 1100 },
  dew_point_c: { min: -90, max: 50 },
  vapor_pressure_hpa: { min: 0, max: 100 },
  total_cloud_tenths: { min: 0, max: 10 },
  sunshine_hr: { min: 0, max: 1 },
  solar_radiation_mj_m2: { min: 0, max: 10 },
  visibility_m: { min: 0, max: 100_000 },
  snow_depth_cm: { min: 0, max: 1000 },
  ground_temp_c: { min: -80, max: 90 },
};

/** Why `value` cannot be stored in `field`, or undefined when it can (null always can). */
export function observationValueProblem(field: ObservationField, value: number | null): string | undefined {
  if (value === null) return undefined;
  const r = OBSERVATION_RANGES[field];
  if (!Number.isFinite(value)) return `${field} must be a finite number, got ${value}`;
  if (value < r.min || value > r.max) return `${field} ${value} is outside ${r.min}..${r.max}`;
  if (r.integer && !Number.isInteger(value)) return `${field} ${value} is not a whole number`;
  return undefined;
}

/** An observation value outside the schema's range; the message names the field and the value. */
export class ObservationValueError extends RangeError {
  override name = "ObservationValueError";
}
