// The inputs of one forecast, read cheaply. loadSeries (src/jobs/train/load-series.ts) reads the view
// observations_best, whose per-field correlated subqueries cost ~30 ms for the 35-day window, and
// every KMA TMP forecast issued in the window (thousands of rows). Serving needs neither: this reads
// the window's raw observation rows once, packed into one text value (with each source's precedence),
// and merges them per hour and
// field exactly as the view does (the value of the highest-precedence source that has one), then
// reads only the KMA forecasts for the one hour the forecast is for. serving-series.test.ts checks it
// gives loadSeries' observations and the same forecast.
import { COLUMN_FIELD } from "../db/observations.ts";
import { HORIZON_HOURS } from "../model/features.ts";
import { HOUR_MS, type HourlyObservation, type HourlySeries, type KmaTemperatureForecast } from "../model/series.ts";
import type { Database } from "../ports/database.ts";

const COLUMNS = Object.keys(COLUMN_FIELD) as (keyof typeof COLUMN_FIELD)[];
/** The packed columns, in order: the series fields, then visibility (metres in the table, 10 m in the series). */
const PACKED = [...COLUMNS, "visibility_m"];

const iso = (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");

/** One row's packed columns: observed_at, precedence, then PACKED. A value the row's quality flags name
 * (migration 0004) is read as NULL, as observations_best skips it. */
const PACKED_ROW = `o.observed_at || ',' || s.precedence || ',' || ${PACKED.map((c) => `CASE WHEN o.qc_flags IS NULL OR json_type(o.qc_flags, '$.${c}') IS NULL THEN quote(o.${c}) ELSE 'NULL' END`).join(" || ',' || ")}`;

/** Observations of [from, before), merged per hour and field by source precedence. */
export async function loadObservationWindow(db: Pick<Database, "execute">, locationId: string, from: number, before: number): Promise<HourlyObservation[]> {
  // One packed text value instead of ~840 rows x 16 columns: per-value decoding (the native binding,
  // Hrana's JSON over HTTP) costs far more than the query. quote() writes a REAL so that it reads back
  // exactly (it falls back to 20 digits when 15 do not round-trip) and NULL as NULL.
  const rs = await db.execute({
    sql: `SELECT group_concat(${PACKED_ROW}, ';') AS packed
          FROM observations AS o JOIN observation_sources AS s ON s.source = o.source
          WHERE o.location_id = ? AND o.observed_at >= ? AND o.observed_at < ?`,
    args: [locationId, iso(from), iso(before)],
  });
  return unpackObservations(rs.rows[0]?.packed);
}

/**
 * The observation windows [from, before) of many locations in ONE query (one database round trip,
 * one packed value per location), each merged like loadObservationWindow. Every id asked for is in
 * the map; a location without rows maps to []. For the multi-location forecast.
 */
export async function loadObservationWindows(
  db: Pick<Database, "execute">,
  locationIds: readonly string[],
  from: number,
  before: number,
): Promise<Map<string, HourlyObservation[]>> {
  const ids = [...new Set(locationIds)];
  const out = new Map<string, HourlyObservation[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return out;
  const rs = await db.execute({
    sql: `SELECT o.location_id AS location_id, group_concat(${PACKED_ROW}, ';') AS packed
          FROM observations AS o JOIN observation_sources AS s ON s.source = o.source
          WHERE o.location_id IN (${ids.map(() => "?").join(", ")}) AND o.observed_at >= ? AND o.observed_at < ?
          GROUP BY o.location_id`,
    args: [...ids, iso(from), iso(before)],
  });
  for (const r of rs.rows) out.set(String(r.location_id), unpackObservations(r.packed));
  return out;
}

function unpackObservations(packed: unknown): HourlyObservation[] {
  if (packed === null || packed === undefined || packed === "") return [];
  const rows = String(packed)
    .split(";")
    .map((line) => line.split(","))
    .sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : Number(a[1]) - Number(b[1])));
  const out: HourlyObservation[] = [];
  let current: HourlyObservation | undefined;
  let currentAt = "";
  for (const r of rows) {
    const at = r[0]!;
    if (at !== currentAt) {
      current = { time: Date.parse(at) };
      currentAt = at;
      out.push(current);
    }
    const o = current!;
    // Rows of an hour come in precedence order: a field keeps the first value it meets.
    for (let k = 0; k < COLUMNS.length; k++) {
      const f = COLUMN_FIELD[COLUMNS[k]!];
      const v = r[k + 2]!;
      if (o[f] === undefined && v !== "NULL") o[f] = Number(v);
    }
    const vis = r[COLUMNS.length + 2]!;
    if (o.visibility === undefined && vis !== "NULL") o.visibility = Number(vis) / 10;
  }
  return out;
}

/** KMA TMP forecasts valid at `validAt` issued at or before `issuedBy` (what the row issued then may use). */
export async function loadKmaForecastsFor(
  db: Pick<Database, "execute">,
  locationId: string,
  validAt: number,
  issuedBy: number,
): Promise<KmaTemperatureForecast[]> {
  const rs = await db.execute({
    sql: `SELECT issued_at, valid_at, value FROM forecasts
          WHERE location_id = ? AND valid_at = ? AND category = 'TMP' AND product = 'vilage_fcst' AND value IS NOT NULL AND issued_at <= ?
          ORDER BY issued_at`,
    args: [locationId, iso(validAt), iso(issuedBy)],
  });
  return rs.rows.map((r) => ({ issuedAt: Date.parse(String(r.issued_at)), validAt: Date.parse(String(r.valid_at)), temperature: Number(r.value) }));
}

/** KMA TMP forecasts valid in (after, until] issued at or before `issuedBy` (the 1..48 h forecast's baselines and features). */
export async function loadKmaForecastsBetween(
  db: Pick<Database, "execute">,
  locationId: string,
  after: number,
  until: number,
  issuedBy: number,
): Promise<KmaTemperatureForecast[]> {
  const rs = await db.execute({
    sql: `SELECT issued_at, valid_at, value FROM forecasts
          WHERE location_id = ? AND valid_at > ? AND valid_at <= ? AND category = 'TMP' AND product = 'vilage_fcst' AND value IS NOT NULL AND issued_at <= ?
          ORDER BY valid_at, issued_at`,
    args: [locationId, iso(after), iso(until), iso(issuedBy)],
  });
  return rs.rows.map((r) => ({ issuedAt: Date.parse(String(r.issued_at)), validAt: Date.parse(String(r.valid_at)), temperature: Number(r.value) }));
}

/**
 * The series the 1..48 h forecast issued at the latest observed temperature in [from, before) needs:
 * the window's observations and the KMA forecasts for the next `leadHours` hours issued by then.
 */
export async function loadHourlyServingSeries(
  db: Pick<Database, "execute">,
  locationId: string,
  from: number,
  before: number,
  leadHours: number,
): Promise<HourlySeries> {
  const observations = await loadObservationWindow(db, locationId, from, before);
  let i = observations.length - 1;
  while (i >= 0 && typeof observations[i]!.temperature !== "number") i--;
  if (i < 0) return { locationId, observations, kmaForecasts: [] };
  const t = observations[i]!.time;
  return { locationId, observations, kmaForecasts: await loadKmaForecastsBetween(db, locationId, t, t + leadHours * HOUR_MS, t) };
}

/**
 * loadHourlyServingSeries for many locations in two round trips: the observation windows in one
 * query, the KMA forecasts of every location (each from its own issue hour) in one more.
 */
export async function loadHourlyServingSeriesMany(
  db: Pick<Database, "execute">,
  locationIds: readonly string[],
  from: number,
  before: number,
  leadHours: number,
): Promise<Map<string, HourlySeries>> {
  const windows = await loadObservationWindows(db, locationIds, from, before);
  const issued = new Map<string, number>();
  for (const [id, obs] of windows) {
    let i = obs.length - 1;
    while (i >= 0 && typeof obs[i]!.temperature !== "number") i--;
    if (i >= 0) issued.set(id, obs[i]!.time);
  }
  const kma = new Map<string, KmaTemperatureForecast[]>();
  if (issued.size > 0) {
    const parts = [...issued].map(() => "(location_id = ? AND valid_at > ? AND valid_at <= ? AND issued_at <= ?)");
    const rs = await db.execute({
      sql: `SELECT location_id, issued_at, valid_at, value FROM forecasts
            WHERE category = 'TMP' AND product = 'vilage_fcst' AND value IS NOT NULL AND (${parts.join(" OR ")})
            ORDER BY location_id, valid_at, issued_at`,
      args: [...issued].flatMap(([id, t]) => [id, iso(t), iso(t + leadHours * HOUR_MS), iso(t)]),
    });
    for (const r of rs.rows) {
      const id = String(r.location_id);
      if (!kma.has(id)) kma.set(id, []);
      kma.get(id)!.push({ issuedAt: Date.parse(String(r.issued_at)), validAt: Date.parse(String(r.valid_at)), temperature: Number(r.value) });
    }
  }
  return new Map([...windows].map(([id, observations]) => [id, { locationId: id, observations, kmaForecasts: kma.get(id) ?? [] }]));
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
