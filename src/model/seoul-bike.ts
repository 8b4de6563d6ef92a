// Loader for the UCI "Seoul Bike Sharing Demand" data set (CC BY 4.0; data/seoul/SeoulBikeData.csv):
// its hourly Seoul weather columns -> HourlySeries. `Date` (dd-mm-yyyy) and `Hour` (0-23) are KST
// wall-clock time and become UTC hours. The bike-rental columns are ignored.
import { parse } from "csv-parse/sync";
import { type HourlyObservation, type HourlySeries, kstToUtc, type ObservationField, SeriesError, validateSeries } from "./series.ts";

/** Header (lower-cased, letters and digits only) prefix -> our field. The UCI header spells units differently across copies. */
const COLUMNS: readonly [string, ObservationField][] = [
  ["temperature", "temperature"],
  ["humidity", "humidity"],
  ["windspeed", "windSpeed"],
  ["visibility", "visibility"],
  ["dewpointtemperature", "dewPoint"],
  ["solarradiation", "solarRadiation"],
  ["rainfall", "precipitation"],
  // Named "Snowfall (cm)" but it behaves as snow on the ground (it decays hour by hour): snow depth.
  ["snowfall", "snowDepth"],
];

const norm = (h: string) => h.toLowerCase().replace(/[^a-z0-9]/g, "");
const DATE = /^(\d{2})-(\d{2})-(\d{4})$/;

export function parseSeoulBikeCsv(text: string, locationId = "seoul"): HourlySeries {
  const rows = parse(text, { skip_empty_lines: true, bom: true }) as string[][];
  const header = rows.shift();
  if (!header) throw new SeriesError("Seoul bike CSV is empty");
  const keys = header.map(norm);
  const col = (prefix: string) => {
    const i = keys.findIndex((k) => k.startsWith(prefix));
    if (i < 0) throw new SeriesError(`Seoul bike CSV has no column starting with "${prefix}" (header: ${header.join(", ")})`);
    return i;
  };
  const dateCol = col("date");
  const hourCol = col("hour");
  const fields = COLUMNS.map(([prefix, field]) => [col(prefix), field] as const);
  const observations = rows.map((r, i): HourlyObservation => {
    const line = i + 2;
    const date = DATE.exec(r[dateCol] ?? "");
    const hour = Number(r[hourCol]);
    if (!date || !Number.isInteger(hour) || hour < 0 || hour > 23) {
      throw new SeriesError(`Seoul bike CSV line ${line}: date "${r[dateCol]}" / hour "${r[hourCol]}" is not dd-mm-yyyy / 0-23`);
    }
    const o: HourlyObservation = { time: kstToUtc(Number(date[3]), Number(date[2]), Number(date[1]), hour) };
    for (const [c, field] of fields) {
      const s = (r[c] ?? "").trim();
      if (s === "") {
        o[field] = null;
        continue;
      }
      const v = Number(s);
      if (!Number.isFinite(v)) throw new SeriesError(`Seoul bike CSV line ${line}: ${header[c]}="${s}" is not a number`);
      o[field] = v;
    }
    return o;
  });
  const series = { locationId, observations };
  validateSeries(series);
  return series;
}
