// The object key scheme: where nalssi keeps each kind of object, the same in R2 and the local folder.
//
//   raw/kma/{api}/{location}/{YYYY-MM-DD}/{HHmm}.json
//       A KMA open-API response body exactly as received (bytes untouched). {api} is the operation
//       (getVilageFcst, getUltraSrtNcst, getWthrDataList, ...). {YYYY-MM-DD} and {HHmm} are the
//       request's base_date and base_time, which KMA gives in KST (UTC+9): the 02:00 KST run of
//       2025-05-29 is `.../2025-05-29/0200.json` although it is 2025-05-28 17:00 UTC. Re-fetching
//       the same base time overwrites the same key.
//
//   csv/observations/{location}/{YYYY}/{YYYY-MM-DD}.csv
//       Daily partitions of hourly observations. The date is a UTC date: the file for 2025-05-29
//       holds the hours from 2025-05-29T00:00Z to 2025-05-29T23:00Z (09:00 KST that day to 08:00
//       KST the next). {YYYY} is that UTC date's year.
//
//   models/{location}/{version}/{file}          e.g. models/seoul/20250529T183000Z/model.txt
//       A trained model's artifacts: `model.txt` (LightGBM model text) and whatever else the trainer
//       writes beside it (metrics.json, features.json). Versions made by modelVersionAt() are UTC
//       times that sort in time order, so the last key of models/{location}/ is the newest model.
//
// {location} is a location id (src/locations: lowercase slug such as `seoul`); anything else is
// rejected with KeySchemeError, so a key can never escape its folder.
import { LOCATION_ID_PATTERN } from "../locations/locations.ts";
import { KST_OFFSET_MS, formatKstDate, formatKstTime } from "../time/kst.ts";

/** A key part was not acceptable; the message names the part and the rule. */
export class KeySchemeError extends Error {
  override name = "KeySchemeError";
}

const MAX_LOCATION_ID_LENGTH = 64;
export const KMA_API_PATTERN = /^[A-Za-z][A-Za-z0-9]{0,63}$/;
export const MODEL_VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const MODEL_FILE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const pad = (n: number, width = 2) => String(n).padStart(width, "0");
const show = (v: unknown) => (typeof v === "string" ? JSON.stringify(v) : String(v));

export function assertLocationId(location: string): void {
  if (typeof location !== "string" || location.length > MAX_LOCATION_ID_LENGTH || !LOCATION_ID_PATTERN.test(location)) {
    throw new KeySchemeError(
      `invalid location id ${show(location)}: must be a lowercase slug (a-z, 0-9 and single hyphens, starting with a letter), at most ${MAX_LOCATION_ID_LENGTH} characters`,
    );
  }
}

function assertApi(api: string): void {
  if (typeof api !== "string" || !KMA_API_PATTERN.test(api)) {
    throw new KeySchemeError(`invalid KMA api ${show(api)}: must be an operation name such as "getVilageFcst" (letters and digits, starting with a letter)`);
  }
}

function assertModelVersion(version: string): void {
  if (typeof version !== "string" || !MODEL_VERSION_PATTERN.test(version)) {
    throw new KeySchemeError(`invalid model version ${show(version)}: 1..64 of A-Z, a-z, 0-9, ".", "_", "-", starting with a letter or digit`);
  }
}

function assertModelFile(file: string): void {
  if (typeof file !== "string" || !MODEL_FILE_PATTERN.test(file)) {
    throw new KeySchemeError(`invalid model file name ${show(file)}: 1..128 of A-Z, a-z, 0-9, ".", "_", "-", starting with a letter or digit`);
  }
}

/** Year, month, day if they make a real calendar date (years 1900..9999). */
function checkDate(y: number, m: number, d: number): boolean {
  if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

// ---- KST base date/time (KMA's base_date YYYYMMDD and base_time HHmm) ----

export interface KmaBase {
  /** KST date, YYYYMMDD (KMA's base_date). */
  baseDate: string;
  /** KST time, HHmm (KMA's base_time). */
  baseTime: string;
}

function parseBase(base: KmaBase): { y: number; m: number; d: number; hh: number; mm: number } {
  const date = /^(\d{4})(\d{2})(\d{2})$/.exec(typeof base?.baseDate === "string" ? base.baseDate : "");
  if (!date) throw new KeySchemeError(`invalid KMA base_date ${show(base?.baseDate)}: expected YYYYMMDD (KST)`);
  const [y, m, d] = [Number(date[1]), Number(date[2]), Number(date[3])];
  if (!checkDate(y, m, d)) throw new KeySchemeError(`invalid KMA base_date ${show(base.baseDate)}: not a calendar date`);
  const time = /^(\d{2})(\d{2})$/.exec(typeof base.baseTime === "string" ? base.baseTime : "");
  const hh = Number(time?.[1]);
  const mm = Number(time?.[2]);
  if (!time || hh > 23 || mm > 59) throw new KeySchemeError(`invalid KMA base_time ${show(base.baseTime)}: expected HHmm from 0000 to 2359 (KST)`);
  return { y, m, d, hh, mm };
}

/** KMA's base_date/base_time (KST) of a UTC instant, to the minute (seconds are dropped). */
export function kmaBaseOf(instant: Date): KmaBase {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) throw new KeySchemeError(`invalid instant ${show(instant)}`);
  return { baseDate: formatKstDate(instant), baseTime: formatKstTime(instant) };
}

/** The UTC instant of a KST base_date/base_time. */
export function kmaBaseInstant(base: KmaBase): Date {
  const { y, m, d, hh, mm } = parseBase(base);
  return new Date(Date.UTC(y, m - 1, d, hh, mm) - KST_OFFSET_MS);
}

// ---- raw/kma ----

export interface RawKmaKeyParts extends KmaBase {
  api: string;
  location: string;
}

/** `raw/kma/{api}/{location}/{YYYY-MM-DD}/{HHmm}.json` for a request's base_date/base_time (KST). */
export function rawKmaKey(parts: RawKmaKeyParts): string {
  assertApi(parts.api);
  assertLocationId(parts.location);
  const { y, m, d } = parseBase(parts);
  return `raw/kma/${parts.api}/${parts.location}/${pad(y, 4)}-${pad(m)}-${pad(d)}/${parts.baseTime}.json`;
}

/** Prefix of raw KMA payloads, narrowed by api, then location, then KST base date (YYYYMMDD). */
export function rawKmaPrefix(filter: { api?: string; location?: string; baseDate?: string } = {}): string {
  if (filter.api === undefined) {
    if (filter.location !== undefined || filter.baseDate !== undefined) throw new KeySchemeError("rawKmaPrefix: a location or date needs an api");
    return "raw/kma/";
  }
  assertApi(filter.api);
  if (filter.location === undefined) {
    if (filter.baseDate !== undefined) throw new KeySchemeError("rawKmaPrefix: a date needs a location");
    return `raw/kma/${filter.api}/`;
  }
  assertLocationId(filter.location);
  if (filter.baseDate === undefined) return `raw/kma/${filter.api}/${filter.location}/`;
  const { y, m, d } = parseBase({ baseDate: filter.baseDate, baseTime: "0000" });
  return `raw/kma/${filter.api}/${filter.location}/${pad(y, 4)}-${pad(m)}-${pad(d)}/`;
}

const RAW_KMA_KEY = /^raw\/kma\/([^/]+)\/([^/]+)\/(\d{4})-(\d{2})-(\d{2})\/(\d{4})\.json$/;

/** The parts of a raw KMA key, with the base time as a UTC instant; undefined for any other key. */
export function parseRawKmaKey(key: string): (RawKmaKeyParts & { baseInstant: Date }) | undefined {
  const m = RAW_KMA_KEY.exec(key);
  if (!m) return undefined;
  const parts = { api: m[1] as string, location: m[2] as string, baseDate: `${m[3]}${m[4]}${m[5]}`, baseTime: m[6] as string };
  try {
    if (rawKmaKey(parts) !== key) return undefined;
    return { ...parts, baseInstant: kmaBaseInstant(parts) };
  } catch (e) {
    if (e instanceof KeySchemeError) return undefined;
    throw e;
  }
}

// ---- csv/observations (UTC days) ----

function utcDay(day: string | Date): { y: number; m: number; d: number } {
  if (day instanceof Date) {
    if (Number.isNaN(day.getTime())) throw new KeySchemeError("invalid day: Invalid Date");
    return { y: day.getUTCFullYear(), m: day.getUTCMonth() + 1, d: day.getUTCDate() };
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(typeof day === "string" ? day : "");
  if (!m) throw new KeySchemeError(`invalid day ${show(day)}: expected a UTC date YYYY-MM-DD or a Date`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!checkDate(y, mo, d)) throw new KeySchemeError(`invalid day ${show(day)}: not a calendar date`);
  return { y, m: mo, d };
}

/**
 * `csv/observations/{location}/{YYYY}/{YYYY-MM-DD}.csv`. `day` is a UTC date string, or an instant
 * whose UTC date is taken (2025-05-29T23:30Z -> 2025-05-29, although it is already the 30th in KST).
 */
export function observationCsvKey(location: string, day: string | Date): string {
  assertLocationId(location);
  const { y, m, d } = utcDay(day);
  return `csv/observations/${location}/${pad(y, 4)}/${pad(y, 4)}-${pad(m)}-${pad(d)}.csv`;
}

/** Prefix of a location's observation partitions, optionally of one UTC year. */
export function observationCsvPrefix(location: string, year?: number): string {
  assertLocationId(location);
  if (year === undefined) return `csv/observations/${location}/`;
  if (!Number.isInteger(year) || year < 1900 || year > 9999) throw new KeySchemeError(`invalid year ${show(year)}`);
  return `csv/observations/${location}/${pad(year, 4)}/`;
}

export const MAX_PARTITION_DAYS = 3700;

/** The daily partitions holding hours in [from, to) (UTC), in order. */
export function observationCsvKeysBetween(location: string, from: Date, to: Date): string[] {
  assertLocationId(location);
  if (!(from instanceof Date) || !(to instanceof Date) || Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) {
    throw new KeySchemeError("observationCsvKeysBetween: from and to must be valid Dates");
  }
  if (to.getTime() < from.getTime()) throw new KeySchemeError(`observationCsvKeysBetween: to (${to.toISOString()}) is before from (${from.toISOString()})`);
  const keys: string[] = [];
  const first = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  for (let t = first; t < to.getTime(); t += 86_400_000) {
    if (keys.length >= MAX_PARTITION_DAYS) throw new KeySchemeError(`observationCsvKeysBetween: more than ${MAX_PARTITION_DAYS} days`);
    keys.push(observationCsvKey(location, new Date(t)));
  }
  return keys;
}

const OBSERVATION_KEY = /^csv\/observations\/([^/]+)\/(\d{4})\/(\d{4}-\d{2}-\d{2})\.csv$/;

/** Location and UTC day (YYYY-MM-DD) of an observation partition key; undefined for any other key. */
export function parseObservationCsvKey(key: string): { location: string; day: string } | undefined {
  const m = OBSERVATION_KEY.exec(key);
  if (!m) return undefined;
  const parts = { location: m[1] as string, day: m[3] as string };
  try {
    return observationCsvKey(parts.location, parts.day) === key ? parts : undefined;
  } catch (e) {
    if (e instanceof KeySchemeError) return undefined;
    throw e;
  }
}

// ---- models ----

/** A model version from its training time: `YYYYMMDDTHHmmssZ` (UTC), which sorts in time order. */
export function modelVersionAt(instant: Date): string {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) throw new KeySchemeError(`invalid instant ${show(instant)}`);
  const t = instant;
  return `${pad(t.getUTCFullYear(), 4)}${pad(t.getUTCMonth() + 1)}${pad(t.getUTCDate())}T${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}${pad(t.getUTCSeconds())}Z`;
}

/** `models/{location}/{version}/{file}`; file defaults to `model.txt`. */
export function modelArtifactKey(location: string, version: string, file = "model.txt"): string {
  assertLocationId(location);
  assertModelVersion(version);
  assertModelFile(file);
  return `models/${location}/${version}/${file}`;
}

/** `models/{location}/`, or `models/{location}/{version}/` with a version. */
export function modelPrefix(location: string, version?: string): string {
  assertLocationId(location);
  if (version === undefined) return `models/${location}/`;
  assertModelVersion(version);
  return `models/${location}/${version}/`;
}

const MODEL_KEY = /^models\/([^/]+)\/([^/]+)\/([^/]+)$/;

/** Location, version and file of a model artifact key; undefined for any other key. */
export function parseModelArtifactKey(key: string): { location: string; version: string; file: string } | undefined {
  const m = MODEL_KEY.exec(key);
  if (!m) return undefined;
  const parts = { location: m[1] as string, version: m[2] as string, file: m[3] as string };
  try {
    return modelArtifactKey(parts.location, parts.version, parts.file) === key ? parts : undefined;
  } catch (e) {
    if (e instanceof KeySchemeError) return undefined;
    throw e;
  }
}
