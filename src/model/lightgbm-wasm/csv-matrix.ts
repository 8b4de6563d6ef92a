// A numeric CSV with a header, as LightGBM users hand it to the CLI: the label column (if asked for)
// and every other column as a feature, in file order; an empty cell is a missing value (NaN).
import { parse } from "csv-parse/sync";

export class CsvError extends Error {
  override name = "CsvError";
}

export interface CsvMatrix {
  featureNames: string[];
  numRows: number;
  numCols: number;
  /** Row-major numRows x numCols. */
  data: Float64Array;
  /** The label column, when one was asked for. */
  label: Float64Array | undefined;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(nan|NaN|inf|Inf|infinity|Infinity)$/;

function parseCell(cell: string): number | undefined {
  const s = cell.trim();
  if (s === "") return Number.NaN;
  if (!NUMBER.test(s)) return undefined;
  const lower = s.toLowerCase().replace(/^[+]/, "");
  if (lower === "nan" || lower === "-nan") return Number.NaN;
  if (lower.endsWith("inf") || lower.endsWith("infinity")) return lower.startsWith("-") ? -Infinity : Infinity;
  return Number(s);
}

export interface CsvMatrixOptions {
  /** Name of the label column; required for training, absent for prediction. */
  label?: string;
  /** Where the text came from, for error messages. */
  source?: string;
}

export function parseCsvMatrix(text: string, opts: CsvMatrixOptions = {}): CsvMatrix {
  const where = opts.source ?? "CSV";
  if (text.trim() === "") throw new CsvError(`${where} is empty`);
  let records: string[][];
  try {
    records = parse(text.replace(/^\uFEFF/, ""), { relax_column_count: false, skip_empty_lines: true, trim: true }) as string[][];
  } catch (e) {
    throw new CsvError(`${where}: ${(e as Error).message}`);
  }
  const [header, ...rows] = records;
  if (!header || header.length === 0) throw new CsvError(`${where} has no header row`);
  if (rows.length === 0) throw new CsvError(`${where} has a header but no data rows`);
  const dup = header.find((h, i) => header.indexOf(h) !== i);
  if (dup !== undefined) throw new CsvError(`${where}: column "${dup}" appears twice in the header`);
  let labelIdx = -1;
  if (opts.label !== undefined) {
    labelIdx = header.indexOf(opts.label);
    if (labelIdx < 0) throw new CsvError(`${where} has no label column "${opts.label}" (columns: ${header.join(", ")})`);
  }
  const featureIdx = header.map((_, i) => i).filter((i) => i !== labelIdx);
  if (featureIdx.length === 0) throw new CsvError(`${where} has no feature columns besides the label`);
  const numRows = rows.length;
  const numCols = featureIdx.length;
  const data = new Float64Array(numRows * numCols);
  const label = labelIdx >= 0 ? new Float64Array(numRows) : undefined;
  rows.forEach((row, r) => {
    const line = r + 2;
    row.forEach((cell, c) => {
      const v = parseCell(cell);
      if (v === undefined) throw new CsvError(`${where} line ${line}, column "${header[c]}" (${c + 1}): "${cell}" is not a number`);
      if (c === labelIdx) {
        if (Number.isNaN(v)) throw new CsvError(`${where} line ${line}: the label "${header[c]}" is empty`);
        label![r] = v;
      }
    });
    featureIdx.forEach((c, j) => {
      data[r * numCols + j] = parseCell(row[c] ?? "") ?? Number.NaN;
    });
  });
  return { featureNames: featureIdx.map((i) => header[i] ?? `Column_${i}`), numRows, numCols, data, label };
}
