// KMA ASOS hourly items (AsosHourlyInfoService/getWthrDataList `response.body.items.item[]`, or the
// same fields as CSV columns) -> HourlySeries. `tm` is KST wall-clock time ("YYYY-MM-DD HH:mm"); an
// empty string is "no value" and becomes null (for rn too: KMA's empty rn does not reliably mean 0).
import { parse } from "csv-parse/sync";
import { ASOS_FIELD, type HourlyObservation, type HourlySeries, kstToUtc, OBSERVATION_FIELDS, SeriesError, validateSeries } from "./series.ts";

const TM = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):00$/;

/** Parses an ASOS `tm` (KST) into a UTC epoch-ms hour. */
export function parseAsosTm(tm: string): number {
  const m = TM.exec(tm.trim());
  if (!m) throw new SeriesError(`ASOS tm "${tm}" is not "YYYY-MM-DD HH:00" (KST)`);
  return kstToUtc(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]));
}

function cell(item: Readonly<Record<string, unknown>>, key: string, where: string): number | null {
  const raw = item[key];
  if (raw === undefined || raw === null) return null;
  const s = String(raw).trim();
  if (s === "") return null;
  const v = Number(s);
  if (!Number.isFinite(v)) throw new SeriesError(`${where}: ${key}="${s}" is not a number`);
  return v;
}

/** ASOS hourly items (any order; duplicates of an hour are an error) -> a validated series. */
export function asosItemsToSeries(items: readonly Readonly<Record<string, unknown>>[], locationId: string): HourlySeries {
  const observations: HourlyObservation[] = items.map((item, i) => {
    const tm = item["tm"];
    if (typeof tm !== "string") throw new SeriesError(`ASOS item ${i} has no tm`);
    const where = `ASOS item ${i} (tm ${tm})`;
    const o: HourlyObservation = { time: parseAsosTm(tm) };
    for (const f of OBSERVATION_FIELDS) o[f] = cell(item, ASOS_FIELD[f], where);
    return o;
  });
  observations.sort((a, b) => a.time - b.time);
  const series = { locationId, observations };
  validateSeries(series);
  return series;
}

/** An ASOS hourly CSV with the API field names as header (e.g. data/seoul/asos108_hourly_*.csv). */
export function parseAsosCsv(text: string, locationId: string): HourlySeries {
  const records = parse(text, { columns: true, skip_empty_lines: true, bom: true }) as Record<string, string>[];
  if (records.length === 0) throw new SeriesError("ASOS CSV has no rows");
  if (!("tm" in records[0]!) || !("ta" in records[0]!)) throw new SeriesError("ASOS CSV header must name at least tm and ta");
  return asosItemsToSeries(records, locationId);
}
