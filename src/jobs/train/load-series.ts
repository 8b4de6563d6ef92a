// Reads a location's hourly series for modelling from libSQL: the best observation per hour (by the
// documented source precedence, view `observations_best`) before a cutoff, and the KMA short-term
// temperature forecasts (TMP) issued before it. Runtime-agnostic (any libSQL client).
import { COLUMN_FIELD } from "../../db/observations.ts";
import type { Database } from "../../ports/database.ts";
import type { HourlyObservation, HourlySeries, KmaTemperatureForecast } from "../../model/series.ts";

export interface SeriesWindow {
  /** Only hours strictly before this instant (UTC) are read. */
  before: Date;
  /** Only hours at or after this instant; default: everything. */
  from?: Date;
}

function iso(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export async function loadSeries(db: Pick<Database, "execute">, locationId: string, w: SeriesWindow): Promise<HourlySeries> {
  const cols = Object.keys(COLUMN_FIELD);
  const args = [locationId, w.from ? iso(w.from) : "0000-01-01T00:00:00Z", iso(w.before)];
  const obs = await db.execute({
    sql: `SELECT observed_at, visibility_m, ${cols.join(", ")} FROM observations_best WHERE location_id = ? AND observed_at >= ? AND observed_at < ? ORDER BY observed_at`,
    args,
  });
  const observations: HourlyObservation[] = obs.rows.map((r) => {
    const o: HourlyObservation = { time: Date.parse(String(r.observed_at)) };
    for (const [col, field] of Object.entries(COLUMN_FIELD)) {
      const v = r[col];
      if (v !== null && v !== undefined) o[field] = Number(v);
    }
    // The series keeps KMA's visibility unit (10 m); the database stores metres.
    if (r.visibility_m !== null && r.visibility_m !== undefined) o.visibility = Number(r.visibility_m) / 10;
    return o;
  });
  // KMA TMP forecasts: only those issued before the cutoff can be used (as feature or baseline).
  const fc = await db.execute({
    sql: `SELECT issued_at, valid_at, value FROM forecasts
          WHERE location_id = ? AND product = 'vilage_fcst' AND category = 'TMP' AND value IS NOT NULL AND issued_at >= ? AND issued_at < ?
          ORDER BY valid_at, issued_at`,
    args,
  });
  const kmaForecasts: KmaTemperatureForecast[] = fc.rows.map((r) => ({
    issuedAt: Date.parse(String(r.issued_at)),
    validAt: Date.parse(String(r.valid_at)),
    temperature: Number(r.value),
  }));
  return { locationId, observations, kmaForecasts };
}

/** How much data there is for a location: hours, first/last hour with a temperature. */
export async function seriesExtent(
  db: Pick<Database, "execute">,
  locationId: string,
  before: Date,
): Promise<{ hours: number; first: string | null; last: string | null }> {
  const r = await db.execute({
    sql: `SELECT count(*) AS n, min(observed_at) AS first, max(observed_at) AS last FROM observations_best
          WHERE location_id = ? AND observed_at < ? AND temperature_c IS NOT NULL`,
    args: [locationId, iso(before)],
  });
  const row = r.rows[0];
  return { hours: Number(row?.n ?? 0), first: (row?.first as string | null) ?? null, last: (row?.last as string | null) ?? null };
}
