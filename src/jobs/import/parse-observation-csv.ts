// A CSV file of hourly observations (any of csv-formats.ts' layouts, UTF-8 or CP949) -> rows for the
// observations table, with every bad row reported by line and column instead of stopping the file:
// a time that is not a KST hour, a value that is not a number or outside the schema's range, an hour
// that appears twice, a row with the wrong number of fields. A bad row is left out as a whole.
// Problems with the file itself (encoding, CSV syntax, an unknown header) throw ImportFormatError.
import { CsvError, parse } from "csv-parse/sync";
import type { ObservationField } from "../../db/observations.ts";
import { observationValueProblem } from "../observation-ranges.ts";
import { ImportFormatError, detectLayout } from "./csv-formats.ts";
import type { CsvLayout, ImportFormat } from "./csv-formats.ts";
import { decodeCsvBytes } from "./text-encoding.ts";
import type { CsvEncoding } from "./text-encoding.ts";

export interface ImportProblem {
  /** 1-based line of the file. */
  line: number;
  /** The column's header and 1-based position, e.g. 'ta (column 5)'; null for the row as a whole. */
  column: string | null;
  message: string;
}

export interface ParsedRow {
  line: number;
  /** UTC hour, '2025-05-01T15:00:00Z'. */
  observedAt: string;
  values: Partial<Record<ObservationField, number | null>>;
  /** The row's station number, when the layout has a station column. */
  station?: number;
  /** The row's location id, when a column mapping's station column gave one. */
  locationId?: string;
}

export interface ParsedObservationCsv {
  format: ImportFormat;
  encoding: CsvEncoding;
  header: string[];
  /** Data rows read (good and bad). */
  rowsRead: number;
  rows: ParsedRow[];
  problems: ImportProblem[];
  layout: CsvLayout;
  /** Station values a column mapping has no location for -> rows skipped (reported, not per row). */
  unmappedStations: Map<string, number>;
}

export interface ParseOptions {
  /** The layout for this header instead of detecting one of the built-in layouts (column-map.ts). */
  layout?: (header: readonly string[]) => CsvLayout;
}

const columnLabel = (header: readonly string[], index: number) => `${header[index] ?? "?"} (column ${index + 1})`;

/** Round away binary noise of the unit scaling (16.27 * 10). */
const scaled = (v: number, k: number) => (k === 1 ? v : Math.round(v * k * 1e6) / 1e6);

export function parseObservationCsv(bytes: Uint8Array, options: ParseOptions = {}): ParsedObservationCsv {
  const { text, encoding } = decodeCsvBytes(bytes);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { info: true, relax_column_count: true, skip_empty_lines: true, bom: true }) as never;
  } catch (e) {
    if (e instanceof CsvError) throw new ImportFormatError(`CSV syntax error at line ${(e as CsvError & { lines?: number }).lines ?? "?"}: ${e.message}`);
    throw e;
  }
  const first = records.shift();
  if (!first) throw new ImportFormatError("the file is empty");
  const header = first.record.map((h) => h.trim());
  const layout = options.layout ? options.layout(header) : detectLayout(header);
  const rows: ParsedRow[] = [];
  const problems: ImportProblem[] = [];
  const unmappedStations = new Map<string, number>();
  // An hour may appear once per station / location: key 'station|ms'.
  const seen = new Map<string, number>();
  for (const { record: cells, info } of records) {
    const line = info.lines;
    if (cells.length !== header.length) {
      problems.push({ line, column: null, message: `the row has ${cells.length} fields, the header has ${header.length}` });
      continue;
    }
    const time = layout.time(cells);
    if ("problem" in time) {
      problems.push({ line, column: columnLabel(header, time.column), message: time.problem });
      continue;
    }
    let locationId: string | undefined;
    if (layout.locationOf) {
      const where = layout.locationOf(cells);
      if ("unmapped" in where) {
        unmappedStations.set(where.unmapped, (unmappedStations.get(where.unmapped) ?? 0) + 1);
        continue;
      }
      if ("problem" in where) {
        problems.push({ line, column: columnLabel(header, where.column), message: where.problem });
        continue;
      }
      locationId = where.id;
    }
    const key = `${locationId ?? (layout.stationColumn !== undefined ? (cells[layout.stationColumn] ?? "").trim() : "")}|${time.ms}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      problems.push({
        line,
        column: columnLabel(header, layout.timeColumns[0]!),
        message: `the hour ${new Date(time.ms).toISOString().replace(".000Z", "Z")} (UTC) already appeared on line ${earlier}`,
      });
      continue;
    }
    const values: ParsedRow["values"] = {};
    let bad: ImportProblem | undefined;
    for (const c of layout.values) {
      const raw = (cells[c.index] ?? "").trim();
      if (c.read) {
        const r = c.read(raw);
        if (typeof r === "string") {
          bad = { line, column: columnLabel(header, c.index), message: r };
          break;
        }
        const problem = observationValueProblem(c.field, r);
        if (problem) {
          bad = { line, column: columnLabel(header, c.index), message: `${raw}: ${problem}` };
          break;
        }
        values[c.field] = r;
        continue;
      }
      if (raw === "") {
        values[c.field] = null;
        continue;
      }
      const n = Number(raw);
      if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(raw) || !Number.isFinite(n)) {
        bad = { line, column: columnLabel(header, c.index), message: `"${raw.slice(0, 40)}" is not a number` };
        break;
      }
      const v = scaled(n, c.scale);
      const problem = observationValueProblem(c.field, v);
      if (problem) {
        bad = { line, column: columnLabel(header, c.index), message: `${raw}${c.scale !== 1 ? ` (x${c.scale})` : ""}: ${problem}` };
        break;
      }
      values[c.field] = v;
    }
    let station: number | undefined;
    if (!bad && layout.stationColumn !== undefined && !layout.locationOf) {
      const s = (cells[layout.stationColumn] ?? "").trim();
      if (!/^\d{1,4}$/.test(s))
        bad = { line, column: columnLabel(header, layout.stationColumn), message: `station "${s.slice(0, 20)}" is not a station number` };
      else station = Number(s);
    }
    if (bad) {
      problems.push(bad);
      continue;
    }
    seen.set(key, line);
    rows.push({
      line,
      observedAt: new Date(time.ms).toISOString().replace(".000Z", "Z"),
      values,
      ...(station !== undefined ? { station } : {}),
      ...(locationId !== undefined ? { locationId } : {}),
    });
  }
  return { format: layout.format, encoding, header, rowsRead: records.length, rows, problems, layout, unmappedStations };
}
