// Column-mapped CSV import: a mapping (JSON, validated here with zod) says, for a file in someone
// else's layout, which column holds each of our observation fields (the `observations` columns of
// migrations/0001, e.g. temperature_c) and how to convert it (scale/offset, 16-point compass strings
// such as "NNW" to degrees, missing-value tokens such as "NA"), how the hour is built (one date-time
// column with a format, or year/month/day/hour columns), the clock's fixed UTC offset (stored as UTC),
// and optionally a station column that sends each row to a location id (an explicit station ->
// location map and/or a prefix rule: prefix + the station's name as a slug).
//
// Everything wrong with the mapping itself (unknown field, a column not in the header, a bad
// timezone, a bad location id) is a MappingError with a one-line message naming it; the CLI turns it
// into a usage error (exit 2). Problems with single rows are reported by line and column like any
// import (parse-observation-csv.ts).
import { z } from "zod";
import { OBSERVATION_FIELDS } from "../../db/observations.ts";
import type { ObservationField } from "../../db/observations.ts";
import { LOCATION_ID_PATTERN } from "../../locations/locations.ts";
import { localHourToUtcMs } from "./csv-formats.ts";
import type { CsvLayout, ValueColumn } from "./csv-formats.ts";

/** The mapping cannot be used (as given, or with this file's header). One line, names the problem. */
export class MappingError extends Error {
  override name = "MappingError";
}

/** Degrees the wind blows from for the 16 compass points (N = 0, clockwise). */
export const COMPASS_DEGREES: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries(["N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW"].map((p, i) => [p, i * 22.5])),
);

/** Calm has no direction: stored as missing (null), not as north. */
const CALM = new Set(["C", "CALM", "CLM"]);

/** A compass point ('NNW', 'nnw') -> degrees; calm -> null; anything else -> undefined. */
export function compassToDegrees(text: string): number | null | undefined {
  const key = text.trim().toUpperCase();
  if (CALM.has(key)) return null;
  return COMPASS_DEGREES[key];
}

/**
 * A fixed UTC offset ('+08:00', '+0800', '+08', '-05:30', 'UTC', 'Z') -> milliseconds ahead of UTC.
 * Throws MappingError otherwise (named time zones are not accepted: the offset must not change).
 */
export function parseUtcOffset(text: string): number {
  const t = text.trim();
  if (t === "Z" || t.toUpperCase() === "UTC") return 0;
  const m = /^([+-])(\d{2})(?::?(\d{2}))?$/.exec(t);
  if (!m || Number(m[2]) > 14 || Number(m[3] ?? 0) > 59) {
    throw new MappingError(`timezone ${JSON.stringify(text)} is not a fixed UTC offset like +08:00, -05:30 or UTC`);
  }
  return (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) * 60_000;
}

const columnName = z.string().trim().min(1, "a column name is empty");

const fieldSpecSchema = z.union([
  columnName,
  z.strictObject({
    column: columnName,
    /** value = number x scale + offset (e.g. °F -> °C: scale 5/9, offset -160/9; visibility in 10 m: scale 10). */
    scale: z
      .number()
      .finite()
      .refine((k) => k !== 0, "scale must not be 0")
      .optional(),
    offset: z.number().finite().optional(),
    /** 'number' (default) or 'compass' (N, NNE, ..., NNW -> 0, 22.5, ..., 337.5 degrees; C/calm -> missing). */
    convert: z.enum(["number", "compass"]).optional(),
    /** Cell texts meaning "missing" for this column (replaces the mapping's `missing`). */
    missing: z.array(z.string()).optional(),
  }),
]);

const timeSchema = z.union([
  z.strictObject({
    column: columnName,
    /** Tokens YYYY, MM/M, DD/D, HH/H (one or two digits), mm, ss; anything else literal. Default 'YYYY-MM-DD HH:mm'. */
    format: z.string().min(1).optional(),
  }),
  z.strictObject({ year: columnName, month: columnName, day: columnName, hour: columnName }),
]);

export const columnMappingSchema = z.strictObject({
  /** Free text for people reading the file. */
  description: z.string().optional(),
  /** The clock of the time columns as a fixed UTC offset; `--timezone` overrides it. */
  timezone: z.string().optional(),
  time: timeSchema,
  /** Observation column (migrations/0001, e.g. temperature_c) -> source column or {column, scale, offset, convert, missing}. */
  fields: z.record(z.string(), fieldSpecSchema),
  /** Cell texts meaning "missing" in every mapped column. Default ["", "NA"]. */
  missing: z.array(z.string()).optional(),
  /** The column naming each row's station, and how a station becomes a location id. */
  station: z
    .strictObject({
      column: columnName,
      /** Station value (as in the file) -> location id. Checked first. */
      locations: z.record(z.string(), z.string()).optional(),
      /** Otherwise: location id = prefix + the value as a slug ('Aotizhongxin' -> 'beijing-aotizhongxin'). */
      prefix: z.string().optional(),
    })
    .refine((s) => s.locations !== undefined || s.prefix !== undefined, "station needs `locations` (a station -> location id map) or `prefix`, or both")
    .optional(),
});

export type ColumnMapping = z.output<typeof columnMappingSchema>;

function issueLine(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 3)
    .map((i) => (i.path.length ? `${i.path.map(String).join(".")}: ${i.message}` : i.message))
    .join("; ");
}

/** Validates a mapping (parsed JSON). Throws MappingError naming the first problems. */
export function parseColumnMapping(input: unknown): ColumnMapping {
  const parsed = columnMappingSchema.safeParse(input);
  if (!parsed.success) throw new MappingError(`invalid mapping: ${issueLine(parsed.error.issues)}`);
  const m = parsed.data;
  const known = OBSERVATION_FIELDS as readonly string[];
  for (const f of Object.keys(m.fields)) {
    if (!known.includes(f)) throw new MappingError(`invalid mapping: fields: unknown field ${JSON.stringify(f)} (known: ${known.join(", ")})`);
  }
  if (Object.keys(m.fields).length === 0) throw new MappingError("invalid mapping: fields is empty: map at least temperature_c");
  for (const [station, id] of Object.entries(m.station?.locations ?? {})) {
    if (!LOCATION_ID_PATTERN.test(id) || id.length > 64) {
      throw new MappingError(
        `invalid mapping: station.locations: ${JSON.stringify(station)} -> ${JSON.stringify(id)} is not a location id (a lowercase slug: a-z, 0-9 and single hyphens, starting with a letter)`,
      );
    }
  }
  if (m.station?.prefix !== undefined && m.station.prefix !== "" && !/^[a-z][a-z0-9-]*$/.test(m.station.prefix)) {
    throw new MappingError(`invalid mapping: station.prefix ${JSON.stringify(m.station.prefix)} must start with a-z and hold only a-z, 0-9 and hyphens`);
  }
  if (m.timezone !== undefined) parseUtcOffset(m.timezone);
  return m;
}

/** A mapping from JSON text (a file's content or an inline `--map '{...}'`). */
export function parseColumnMappingJson(text: string, what = "mapping"): ColumnMapping {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new MappingError(`${what} is not valid JSON: ${(e as Error).message.split("\n")[0]}`);
  }
  return parseColumnMapping(json);
}

/** 'Aotizhongxin' -> 'aotizhongxin', 'Wan Shou Xi' -> 'wan-shou-xi' (ASCII letters and digits, single hyphens). */
export function slugOf(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

const TOKEN = /YYYY|MM|DD|HH|mm|ss|M|D|H/g;

/** Compiles a date-time format into a reader of (year, month, day, hour, minute, second). */
function compileFormat(format: string): (text: string) => { y: number; mo: number; d: number; h: number; mi: number; s: number } | undefined {
  const order: string[] = [];
  let source = "";
  let last = 0;
  for (const m of format.matchAll(TOKEN)) {
    source += format.slice(last, m.index).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    // MM/DD/HH also take one digit: spreadsheets drop the leading zero.
    source += m[0] === "YYYY" ? "(\\d{4})" : m[0] === "mm" || m[0] === "ss" ? "(\\d{2})" : "(\\d{1,2})";
    order.push(m[0][0]!);
    last = m.index + m[0].length;
  }
  source += format.slice(last).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const need = ["Y", "M", "D", "H"];
  for (const n of need) {
    if (!order.includes(n))
      throw new MappingError(`invalid mapping: time.format ${JSON.stringify(format)} lacks ${{ Y: "YYYY", M: "MM", D: "DD", H: "HH" }[n]}`);
  }
  const re = new RegExp(`^${source}$`);
  return (text) => {
    const m = re.exec(text);
    if (!m) return undefined;
    const v: Record<string, number> = { Y: 0, M: 0, D: 0, H: 0, m: 0, s: 0 };
    order.forEach((k, i) => (v[k] = Number(m[i + 1])));
    return { y: v.Y!, mo: v.M!, d: v.D!, h: v.H!, mi: v.m!, s: v.s! };
  };
}

export interface CompileOptions {
  /** Overrides the mapping's timezone (the CLI's --timezone). */
  timezone?: string;
}

/**
 * The mapping applied to a file's header: a CsvLayout for parse-observation-csv. Throws MappingError
 * when a mapped column is not in the header, the timezone is missing or bad, or the format is unusable.
 */
export function compileColumnMapping(mapping: ColumnMapping, header: readonly string[], options: CompileOptions = {}): CsvLayout {
  const names = header.map((h) => h.trim());
  const shown = names.slice(0, 12).join(", ") + (names.length > 12 ? ", ..." : "");
  const indexOf = (column: string, what: string): number => {
    const i = names.indexOf(column.trim());
    if (i < 0) throw new MappingError(`the mapping's ${what} column ${JSON.stringify(column)} is not in the header (${shown})`);
    return i;
  };
  const tz = options.timezone ?? mapping.timezone;
  if (tz === undefined) throw new MappingError("no timezone: give --timezone (e.g. +08:00) or `timezone` in the mapping; times are stored as UTC");
  const offsetMs = parseUtcOffset(tz);
  const globalMissing = new Set(mapping.missing ?? ["", "NA"]);

  const values: ValueColumn[] = Object.entries(mapping.fields).map(([field, spec]) => {
    const s = typeof spec === "string" ? { column: spec } : spec;
    const index = indexOf(s.column, field);
    const missing = s.missing ? new Set(s.missing) : globalMissing;
    const scale = s.scale ?? 1;
    const offset = s.offset ?? 0;
    const compass = s.convert === "compass";
    const read = (raw: string): number | null | string => {
      if (missing.has(raw)) return null;
      if (compass) {
        const deg = compassToDegrees(raw);
        return deg === undefined ? `"${raw.slice(0, 20)}" is not a 16-point compass direction (N, NNE, ..., NNW) or calm (C)` : deg;
      }
      const n = Number(raw);
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw) || !Number.isFinite(n)) return `"${raw.slice(0, 40)}" is not a number`;
      // Round away binary noise of the conversion (16.27 * 10, 0.1 + 0.2).
      return scale === 1 && offset === 0 ? n : Math.round((n * scale + offset) * 1e6) / 1e6;
    };
    return { index, header: names[index]!, field: field as ObservationField, scale, read };
  });

  let time: CsvLayout["time"];
  let timeColumns: number[];
  const at = (y: number, mo: number, d: number, h: number) => localHourToUtcMs(y, mo, d, h, offsetMs);
  if ("column" in mapping.time) {
    const col = indexOf(mapping.time.column, "time");
    const format = mapping.time.format ?? "YYYY-MM-DD HH:mm";
    const read = compileFormat(format);
    timeColumns = [col];
    time = (cells) => {
      const text = (cells[col] ?? "").trim();
      const p = read(text);
      if (!p) return { problem: `"${text.slice(0, 40)}" does not match the time format ${JSON.stringify(format)}`, column: col };
      if (p.mi !== 0 || p.s !== 0) return { problem: `"${text}" is not on the hour`, column: col };
      const ms = at(p.y, p.mo, p.d, p.h);
      return ms === undefined ? { problem: `"${text}" is not a real date and hour`, column: col } : { ms };
    };
  } else {
    const t = mapping.time;
    const cols = [indexOf(t.year, "time.year"), indexOf(t.month, "time.month"), indexOf(t.day, "time.day"), indexOf(t.hour, "time.hour")] as const;
    timeColumns = [...cols];
    time = (cells) => {
      const parts: number[] = [];
      for (const c of cols) {
        const text = (cells[c] ?? "").trim();
        if (!/^\d{1,4}$/.test(text)) return { problem: `"${text.slice(0, 20)}" is not a whole number`, column: c };
        parts.push(Number(text));
      }
      const [y, mo, d, h] = parts as [number, number, number, number];
      if (h > 23) return { problem: `hour ${h} is not 0..23`, column: cols[3] };
      const ms = at(y, mo, d, h);
      return ms === undefined ? { problem: `${y}-${mo}-${d} ${h}h is not a real date and hour`, column: cols[0] } : { ms };
    };
  }

  const layout: CsvLayout = { format: "mapped", values, timeColumns, time };
  const st = mapping.station;
  if (st) {
    const col = indexOf(st.column, "station");
    const explicit = new Map(Object.entries(st.locations ?? {}).map(([k, v]) => [k.trim(), v]));
    const cache = new Map<string, { id: string } | { unmapped: string } | { problem: string; column: number }>();
    layout.stationColumn = col;
    layout.locationOf = (cells) => {
      const name = (cells[col] ?? "").trim();
      let r = cache.get(name);
      if (r) return r;
      const id = explicit.get(name) ?? (st.prefix !== undefined ? st.prefix + slugOf(name) : undefined);
      if (name === "") r = { problem: "the station is empty", column: col };
      else if (id === undefined) r = { unmapped: name };
      else if (!LOCATION_ID_PATTERN.test(id) || id.length > 64)
        r = { problem: `station ${JSON.stringify(name.slice(0, 40))} gives ${JSON.stringify(id.slice(0, 80))}, not a location id`, column: col };
      else r = { id };
      cache.set(name, r);
      return r;
    };
  }
  return layout;
}
