// The three hourly-observation CSV layouts `nalssi import` reads, told apart by the header:
//   asos-api    the ASOS API's field names (tm, ta, hm, ws, wd, rn, td, pa, ps, ...), tm in KST
//               'YYYY-MM-DD HH:MM'; only tm and ta are required. E.g. data/seoul/asos108_hourly_*.csv.
//   kma-portal  the KMA data portal's (data.kma.go.kr) ASOS hourly export with Korean headers
//               (지점, 지점명, 일시, 기온(°C), 강수량(mm), 풍속(m/s), 풍향(16방위), 습도(%), ...), 일시 in KST;
//               only 일시 and 기온 are required. QC-flag columns are ignored.
//   seoul-bike  the UCI Seoul Bike Sharing Demand layout: Date (dd-mm-yyyy) + Hour (0-23) in KST and
//               the weather columns (Temperature, Humidity, Wind speed, Visibility (10m), Dew point
//               temperature, Solar Radiation, Rainfall, Snowfall); the bike columns are ignored.
// Visibility in all three is in units of 10 m and is stored in metres. The UCI "Snowfall (cm)"
// behaves as snow on the ground (it decays hour by hour), so it is stored as snow_depth_cm, as the
// model's loader (src/model/seoul-bike.ts) reads it.
import type { ObservationField } from "../../db/observations.ts";
import { KST_OFFSET_MS } from "../../time/kst.ts";

export type ImportFormat = "asos-api" | "kma-portal" | "seoul-bike" | "mapped";

export class ImportFormatError extends Error {
  override name = "ImportFormatError";
}

export interface ValueColumn {
  index: number;
  header: string;
  field: ObservationField;
  scale: number;
  /**
   * Reads the trimmed cell instead of the default (a decimal number times `scale`, '' = missing): a
   * number, null for missing, or a string naming the problem. Set by column-mapped layouts
   * (column-map.ts); the result is range-checked like any value.
   */
  read?: (raw: string) => number | null | string;
}

export interface CsvLayout {
  format: ImportFormat;
  values: ValueColumn[];
  /** Column(s) of the time, for messages. */
  timeColumns: number[];
  /** The station number column, when the layout has one. */
  stationColumn?: number;
  /**
   * The row's location id from a station column (column-mapped layouts): `{ unmapped }` when the
   * mapping has no location for the station's value (reported per station, not per row).
   */
  locationOf?(cells: readonly string[]): { id: string } | { unmapped: string } | { problem: string; column: number };
  /** UTC instant (ms) of the row's hour, or a problem naming the column. */
  time(cells: readonly string[]): { ms: number } | { problem: string; column: number };
}

const ASOS_API: Readonly<Record<string, [ObservationField, number]>> = {
  ta: ["temperature_c", 1],
  hm: ["humidity_pct", 1],
  ws: ["wind_speed_ms", 1],
  wd: ["wind_dir_deg", 1],
  rn: ["precipitation_mm", 1],
  pa: ["pressure_hpa", 1],
  ps: ["sea_level_pressure_hpa", 1],
  td: ["dew_point_c", 1],
  pv: ["vapor_pressure_hpa", 1],
  dc10Tca: ["total_cloud_tenths", 1],
  ss: ["sunshine_hr", 1],
  icsr: ["solar_radiation_mj_m2", 1],
  vs: ["visibility_m", 10],
  dsnw: ["snow_depth_cm", 1],
  ts: ["ground_temp_c", 1],
};

/** Portal header name before its unit in parentheses -> field. */
const KMA_PORTAL: Readonly<Record<string, [ObservationField, number]>> = {
  기온: ["temperature_c", 1],
  습도: ["humidity_pct", 1],
  풍속: ["wind_speed_ms", 1],
  풍향: ["wind_dir_deg", 1],
  강수량: ["precipitation_mm", 1],
  현지기압: ["pressure_hpa", 1],
  해면기압: ["sea_level_pressure_hpa", 1],
  이슬점온도: ["dew_point_c", 1],
  증기압: ["vapor_pressure_hpa", 1],
  전운량: ["total_cloud_tenths", 1],
  일조: ["sunshine_hr", 1],
  일사: ["solar_radiation_mj_m2", 1],
  시정: ["visibility_m", 10],
  적설: ["snow_depth_cm", 1],
  지면온도: ["ground_temp_c", 1],
};

/** Lower-cased letters and digits of a UCI header -> field (prefix match; copies spell units differently). */
const SEOUL_BIKE: readonly [string, ObservationField, number][] = [
  ["temperature", "temperature_c", 1],
  ["humidity", "humidity_pct", 1],
  ["windspeed", "wind_speed_ms", 1],
  ["visibility", "visibility_m", 10],
  ["dewpointtemperature", "dew_point_c", 1],
  ["solarradiation", "solar_radiation_mj_m2", 1],
  ["rainfall", "precipitation_mm", 1],
  ["snowfall", "snow_depth_cm", 1],
];

const asciiKey = (h: string) => h.toLowerCase().replace(/[^a-z0-9]/g, "");
/** '기온(°C)' -> '기온'; '기온 QC플래그' stays itself (and matches nothing). */
const portalKey = (h: string) => h.replace(/\s+/g, "").replace(/\(.*$/, "");

/**
 * UTC instant (ms) of a wall-clock hour on a clock `offsetMs` ahead of UTC (fixed offset, no DST),
 * or undefined when the fields are not a real date and hour (month 13, 30 February, hour 24).
 */
export function localHourToUtcMs(y: number, mo: number, d: number, h: number, offsetMs: number): number | undefined {
  if (![y, mo, d, h].every(Number.isInteger) || y < 1000 || y > 9999) return undefined;
  const ms = Date.UTC(y, mo - 1, d, h);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || back.getUTCHours() !== h) return undefined;
  return ms - offsetMs;
}

const kstHourToUtcMs = (y: number, mo: number, d: number, h: number) => localHourToUtcMs(y, mo, d, h, KST_OFFSET_MS);

/** 'YYYY-MM-DD HH:MM' (KST; the portal also writes 'YYYY-MM-DD H:MM' once Excel saved it), on the hour. */
function kstTimestamp(text: string, column: number, what: string): { ms: number } | { problem: string; column: number } {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{2})(?::00)?$/.exec(text.trim());
  if (!m) return { problem: `${what} "${text}" is not a KST time 'YYYY-MM-DD HH:MM'`, column };
  if (m[5] !== "00") return { problem: `${what} "${text}" is not on the hour`, column };
  const ms = kstHourToUtcMs(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]));
  return ms === undefined ? { problem: `${what} "${text}" is not a real date and hour`, column } : { ms };
}

/** Works out the layout from the header row, or throws ImportFormatError saying what was expected. */
export function detectLayout(header: readonly string[]): CsvLayout {
  const trimmed = header.map((h) => h.trim());
  const tm = trimmed.indexOf("tm");
  if (tm >= 0) {
    if (!trimmed.includes("ta")) throw new ImportFormatError("the header has tm (ASOS API layout) but no ta column; tm and ta are required");
    const values = trimmed.flatMap((h, index) => (ASOS_API[h] ? [{ index, header: h, field: ASOS_API[h]![0], scale: ASOS_API[h]![1] }] : []));
    const station = trimmed.indexOf("stnId");
    return {
      format: "asos-api",
      values,
      timeColumns: [tm],
      ...(station >= 0 ? { stationColumn: station } : {}),
      time: (cells) => kstTimestamp(cells[tm] ?? "", tm, "tm"),
    };
  }
  const when = trimmed.indexOf("일시");
  if (when >= 0) {
    const values = trimmed.flatMap((h, index) => {
      const m = KMA_PORTAL[portalKey(h)];
      return m ? [{ index, header: h, field: m[0], scale: m[1] }] : [];
    });
    if (!values.some((v) => v.field === "temperature_c"))
      throw new ImportFormatError("the header has 일시 (KMA data portal layout) but no 기온(°C) column; 일시 and 기온 are required");
    const station = trimmed.indexOf("지점");
    return {
      format: "kma-portal",
      values,
      timeColumns: [when],
      ...(station >= 0 ? { stationColumn: station } : {}),
      time: (cells) => kstTimestamp(cells[when] ?? "", when, "일시"),
    };
  }
  const keys = trimmed.map(asciiKey);
  const date = keys.indexOf("date");
  const hour = keys.indexOf("hour");
  if (date >= 0 && hour >= 0) {
    const values: ValueColumn[] = [];
    for (const [prefix, field, scale] of SEOUL_BIKE) {
      const index = keys.findIndex((k) => k.startsWith(prefix));
      if (index >= 0) values.push({ index, header: trimmed[index]!, field, scale });
    }
    if (!values.some((v) => v.field === "temperature_c"))
      throw new ImportFormatError("the header has Date and Hour (Seoul bike layout) but no Temperature column");
    return {
      format: "seoul-bike",
      values,
      timeColumns: [date, hour],
      time: (cells) => {
        const d = /^(\d{1,2})[-/](\d{1,2})[-/](\d{4})$/.exec((cells[date] ?? "").trim());
        if (!d) return { problem: `Date "${cells[date] ?? ""}" is not dd-mm-yyyy`, column: date };
        const h = (cells[hour] ?? "").trim();
        if (!/^\d{1,2}$/.test(h) || Number(h) > 23) return { problem: `Hour "${h}" is not 0..23`, column: hour };
        const ms = kstHourToUtcMs(Number(d[3]), Number(d[2]), Number(d[1]), Number(h));
        return ms === undefined ? { problem: `Date "${cells[date]}" is not a real date`, column: date } : { ms };
      },
    };
  }
  const shown = trimmed.slice(0, 8).join(", ") + (trimmed.length > 8 ? ", ..." : "");
  throw new ImportFormatError(
    `cannot tell the CSV layout from its header (${shown}): expected the ASOS API field names (tm, ta, ...), the KMA data portal export (지점, 일시, 기온(°C), ...) or the Seoul bike layout (Date, Hour, Temperature, ...)`,
  );
}
