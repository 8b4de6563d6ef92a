// The inputs of one forecast, read cheaply. loadSeries (src/jobs/train/load-series.ts) reads the view
// observations_best, whose per-field correlated subqueries cost ~30 ms for the 35-day window, and
// every KMA TMP forecast issued in the window (thousands of rows). Serving needs neither: this reads
// the window's raw observation rows once (with each source's precedence) and merges them per hour and
// field exactly as the view does (the value of the highest-precedence source that has one), then
// reads only the KMA forecasts for the one hour the forecast is for. serving-series.test.ts checks it
// gives loadSeries' observations and the same forecast.
import { HORIZON_HOURS } from "../model/features.ts";
import { HOUR_MS, type HourlyObservation, type HourlySeries, type KmaTemperatureForecast } from "../model/series.ts";
import type { Database } from "../ports/database.ts";

/** observations column -> series field (as load-series.ts maps observations_best). */
const COLUMN_FIELD = {
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
} as const satisfies Record<string, keyof HourlyObservation>;
const COLUMNS = Object.keys(COLUMN_FIELD) as (keyof typeof COLUMN_FIELD)[];

const iso = (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");

/** Observations of [from, before), merged per hour and field by source precedence. */
export async function loadObservationWindow(db: Pick<Database, "execute">, locationId: string, from: number, before: number): Promise<HourlyObservation[]> {
  const rs = await db.execute({
    sql: `SELECT o.observed_at, ${COLUMNS.map((c) => `o.${c}`).join(", ")}, o.visibility_m
          FROM observations AS o JOIN observation_sources AS s ON s.source = o.source
          WHERE o.location_id = ? AND o.observed_at >= ? AND o.observed_at < ?
          ORDER BY o.observed_at, s.precedence`,
    args: [locationId, iso(from), iso(before)],
  });
  const out: HourlyObservation[] = [];
  let current: HourlyObservation | undefined;
  let currentAt = "";
  for (const r of rs.rows) {
    const at = String(r.observed_at);
    if (at !== currentAt) {
      current = { time: Date.parse(at) };
      currentAt = at;
      out.push(current);
    }
    const o = current!;
    // Rows come in precedence order: a field keeps the first non-null value it meets.
    for (const col of COLUMNS) {
      const f = COLUMN_FIELD[col];
      const v = r[col];
      if (o[f] === undefined && v !== null && v !== undefined) o[f] = Number(v);
    }
    if (o.visibility === undefined && r.visibility_m !== null && r.visibility_m !== undefined) o.visibility = Number(r.visibility_m) / 10;
  }
  return out;
}

/** KMA TMP forecasts valid at `validAt` issued at or before `issuedBy` (what the row issued then may use). */
export async function loadKmaForecastsFor(db: Pick<Database, "execute">, locationId: string, validAt: number, issuedBy: number): Promise<KmaTemperatureForecast[]> {
  const rs = await db.execute({
    sql: `SELECT issued_at, valid_at, value FROM forecasts
          WHERE location_id = ? AND valid_at = ? AND category = 'TMP' AND product = 'vilage_fcst' AND value IS NOT NULL AND issued_at <= ?
          ORDER BY issued_at`,
    args: [locationId, iso(validAt), iso(issuedBy)],
  });
  return rs.rows.map((r) => ({ issuedAt: Date.parse(String(r.issued_at)), validAt: Date.parse(String(r.valid_at)), temperature: Number(r.value) }));
}

/**
 * The series a forecast issued at the latest observed temperature in [from, before) needs: the
 * window's observations and the KMA forecasts for that hour + 24 h issued by then.
 */
export async function loadServingSeries(db: Pick<Database, "execute">, locationId: string, from: number, before: number): Promise<HourlySeries> {
  const observations = await loadObservationWindow(db, locationId, from, before);
  let i = observations.length - 1;
  while (i >= 0 && typeof observations[i]!.temperature !== "number") i--;
  const kmaForecasts = i < 0 ? [] : await loadKmaForecastsFor(db, locationId, observations[i]!.time + HORIZON_HOURS * HOUR_MS, observations[i]!.time);
  return { locationId, observations, kmaForecasts };
}
