// The hourly observation series the forecasting core consumes: one record per UTC hour for one
// location, every weather field nullable, with the KMA ASOS meaning (and unit) of each field. Gaps
// (hours with no record) are allowed; the dataset builder treats them as missing, never shifts.
// Optionally, KMA's own temperature forecasts for the location (issue time + valid time), which the
// dataset uses as a feature and a baseline when one issued at or before the issue hour exists.

import { kstHourParts as kstParts } from "../time/kst.ts";

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
export { KST_OFFSET_MS } from "../time/kst.ts";

/** A measured value; `null` (or absent) = not observed. */
export type Measured = number | null | undefined;

/** One hour of observations. Units and meanings follow the KMA ASOS hourly fields named in brackets. */
export interface HourlyObservation {
  /** UTC instant of the observation hour, epoch milliseconds, on a whole hour (KMA `tm` minus 9 h). */
  time: number;
  /** Air temperature, °C [ta]. */
  temperature?: Measured;
  /** Relative humidity, % [hm]. */
  humidity?: Measured;
  /** Wind speed, m/s [ws]. */
  windSpeed?: Measured;
  /** Wind direction the wind blows from, degrees, 0/360 = north [wd]. */
  windDirection?: Measured;
  /** Precipitation in the hour, mm [rn]. KMA leaves rn empty when there was none: that is null here, not 0. */
  precipitation?: Measured;
  /** Dew point temperature, °C [td]. */
  dewPoint?: Measured;
  /** Vapour pressure, hPa [pv]. */
  vaporPressure?: Measured;
  /** Station (local) pressure, hPa [pa]. */
  pressure?: Measured;
  /** Sea-level pressure, hPa [ps]. */
  seaLevelPressure?: Measured;
  /** Sunshine duration in the hour, h [ss]. */
  sunshine?: Measured;
  /** Global solar radiation in the hour, MJ/m² [icsr]. */
  solarRadiation?: Measured;
  /** Snow depth, cm [dsnw]. */
  snowDepth?: Measured;
  /** Visibility, in units of 10 m [vs]. */
  visibility?: Measured;
  /** Total cloud cover, tenths 0..10 [dc10Tca]. */
  cloudCover?: Measured;
  /** Ground-surface temperature, °C [ts]. */
  groundTemperature?: Measured;
}

/** The weather fields of an observation (everything but `time`). */
export type ObservationField = Exclude<keyof HourlyObservation, "time">;

/** Our field name -> the KMA ASOS hourly (AsosHourlyInfoService/getWthrDataList) item field. */
export const ASOS_FIELD: Readonly<Record<ObservationField, string>> = {
  temperature: "ta",
  humidity: "hm",
  windSpeed: "ws",
  windDirection: "wd",
  precipitation: "rn",
  dewPoint: "td",
  vaporPressure: "pv",
  pressure: "pa",
  seaLevelPressure: "ps",
  sunshine: "ss",
  solarRadiation: "icsr",
  snowDepth: "dsnw",
  visibility: "vs",
  cloudCover: "dc10Tca",
  groundTemperature: "ts",
};

export const OBSERVATION_FIELDS = Object.keys(ASOS_FIELD) as ObservationField[];

/** A KMA temperature forecast (단기예보 TMP) for one valid hour. */
export interface KmaTemperatureForecast {
  /** UTC instant the forecast was issued (its base_date/base_time converted from KST), epoch ms. */
  issuedAt: number;
  /** UTC instant the forecast is for (fcstDate/fcstTime converted from KST), epoch ms, a whole hour. */
  validAt: number;
  /** Forecast air temperature, °C. */
  temperature: number;
}

export interface HourlySeries {
  locationId: string;
  /** Strictly increasing `time`; hours may be missing (gaps). */
  observations: readonly HourlyObservation[];
  kmaForecasts?: readonly KmaTemperatureForecast[];
}

/** The series is malformed (unsorted, off-hour times, non-finite values...). The message names the record. */
export class SeriesError extends Error {
  override name = "SeriesError";
}

export function isoHour(time: number): string {
  return new Date(time).toISOString().replace(":00.000Z", "Z");
}

// The KST helpers of the series' epoch-ms hours, under the names the model code uses (src/time/kst.ts).
export { kstWallClockToUtc as kstToUtc, kstHourParts as kstParts } from "../time/kst.ts";

/** "YYYY-MM" of a UTC instant in KST. */
export function kstMonth(time: number): string {
  const p = kstParts(time);
  return `${p.year}-${String(p.month).padStart(2, "0")}`;
}

/**
 * Checks the invariants the dataset builder relies on. Throws SeriesError naming the first problem:
 * times must be whole UTC hours and strictly increasing; values must be finite numbers or null.
 */
export function validateSeries(series: HourlySeries): void {
  const where = `series "${series.locationId}"`;
  let prev = -Infinity;
  series.observations.forEach((o, i) => {
    if (!Number.isFinite(o.time) || o.time % HOUR_MS !== 0) {
      throw new SeriesError(`${where}: observation ${i} has time ${String(o.time)}, not a whole UTC hour in epoch milliseconds`);
    }
    if (o.time <= prev) {
      throw new SeriesError(`${where}: observation ${i} (${isoHour(o.time)}) is not after the previous one (${isoHour(prev)}); sort and de-duplicate`);
    }
    prev = o.time;
    for (const f of OBSERVATION_FIELDS) {
      const v = o[f];
      if (v !== null && v !== undefined && !Number.isFinite(v)) {
        throw new SeriesError(`${where}: ${f} at ${isoHour(o.time)} is ${String(v)}; use null for a missing value`);
      }
    }
  });
  for (const [i, f] of (series.kmaForecasts ?? []).entries()) {
    if (!Number.isFinite(f.temperature) || !Number.isFinite(f.issuedAt) || !Number.isFinite(f.validAt) || f.validAt % HOUR_MS !== 0) {
      throw new SeriesError(`${where}: KMA forecast ${i} is malformed (issuedAt ${f.issuedAt}, validAt ${f.validAt}, temperature ${f.temperature})`);
    }
  }
}

/** The observations with time in [from, to). */
export function sliceSeries(series: HourlySeries, from: number, to: number): HourlySeries {
  return {
    ...series,
    observations: series.observations.filter((o) => o.time >= from && o.time < to),
  };
}
