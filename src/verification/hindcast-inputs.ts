// What a hindcast of the issue hours [from, to) reads, and nothing more: the observations from
// `lookbackMs` before `from` up to `to` (merged by source precedence exactly like observations_best,
// by the serving reader src/serving/serving-series.ts, which is much cheaper than the view), and the
// KMA TMP forecasts valid at t + lead (default 24 h) for those issue hours, issued before `to` (the features and the
// KMA baseline of the row issued at t use the latest one issued at or before t).
import { HORIZON_HOURS } from "../model/features.ts";
import { HOUR_MS, type HourlySeries, type KmaTemperatureForecast } from "../model/series.ts";
import type { Database } from "../ports/database.ts";
import { loadObservationWindow } from "../serving/serving-series.ts";

const iso = (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");

export async function loadHindcastSeries(
  db: Pick<Database, "execute">,
  locationId: string,
  window: { from: number; to: number },
  lookbackMs: number,
  leadHours: number = HORIZON_HOURS,
): Promise<HourlySeries> {
  const h = leadHours * HOUR_MS;
  const [observations, fc] = await Promise.all([
    loadObservationWindow(db, locationId, window.from - lookbackMs, window.to),
    db.execute({
      sql: `SELECT issued_at, valid_at, value FROM forecasts
            WHERE location_id = ? AND product = 'vilage_fcst' AND category = 'TMP' AND value IS NOT NULL
              AND valid_at >= ? AND valid_at < ? AND issued_at < ?
            ORDER BY valid_at, issued_at`,
      args: [locationId, iso(window.from + h), iso(window.to + h), iso(window.to)],
    }),
  ]);
  const kmaForecasts: KmaTemperatureForecast[] = fc.rows.map((r) => ({
    issuedAt: Date.parse(String(r.issued_at)),
    validAt: Date.parse(String(r.valid_at)),
    temperature: Number(r.value),
  }));
  return { locationId, observations, kmaForecasts };
}
