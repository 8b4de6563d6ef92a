// `import`: hourly observations from a CSV file (ASOS API field names, the KMA data portal export in
// UTF-8 or CP949, or the UCI Seoul bike layout; import/csv-formats.ts) into the observations table,
// source 'import' for all three.
//
// Why 'import' and not 'asos' for the two ASOS layouts: 'asos' means "fetched by nalssi from
// AsosHourlyInfoService, the payload kept under raw_ref" (migration 0001's description); a file's
// origin cannot be verified (hand edits, another station, a spreadsheet's rounding), so it ranks
// below both KMA sources, and `backfill` still fetches the real ASOS hours over it. Nothing is lost:
// the best value per field is chosen by the observations_best view.
//
// Consistency: the file is parsed and checked completely first (bad rows reported by line and
// column); with `strict`, any bad row rejects the file and nothing at all is written (no run row
// either). Otherwise one ingest run (job 'import_csv', params: file name, SHA-256, layout,
// encoding, counts) is started and ALL good rows plus the run's completion go into ONE write
// transaction: the import is applied entirely or not at all. The CSV partitions of the touched UTC
// days are rewritten after the commit (csv-partitions.ts).
import { observationUpsert } from "../db/observations.ts";
import { DEFAULT_LOCATION_ID, DEFAULT_LOCATIONS, getLocation } from "../locations/locations.ts";
import type { Location } from "../locations/locations.ts";
import { sha256Hex } from "../ids/sha256.ts";
import type { UpsertCounts } from "../db/upsert-counts.ts";
import { commitUpserts } from "./commit-rows.ts";
import { utcDaysOf, writeObservationPartitions } from "./csv-partitions.ts";
import type { PartitionReport } from "./csv-partitions.ts";
import type { ImportFormat } from "./import/csv-formats.ts";
import { parseObservationCsv } from "./import/parse-observation-csv.ts";
import type { ImportProblem, ParsedRow } from "./import/parse-observation-csv.ts";
import type { CsvEncoding } from "./import/text-encoding.ts";
import { identityRedact } from "./job-deps.ts";
import type { JobDeps } from "./job-deps.ts";
import { ZERO_COUNTS, errorClassOf, errorMessageOf, recordRunFailure, startRun, succeededRunStatement } from "./run-log.ts";

/** The file cannot be imported into any location as asked (nothing was written). */
export class ImportRequestError extends Error {
  override name = "ImportRequestError";
}

export interface ImportCsvOptions {
  bytes: Uint8Array;
  /** The file's name, for the run's params and messages. */
  fileName: string;
  /** Default: the known location whose ASOS station the file is, else the default location (seoul). */
  location?: Location;
  /** Known locations. Default: DEFAULT_LOCATIONS. */
  locations?: readonly Location[];
  /** Reject the whole file (writing nothing) when any row is bad. */
  strict?: boolean;
  /** Told what happened so far (for a progress bar): parsed, committed, then each partition written. */
  onProgress?: (p: ImportProgress) => void;
}

export type ImportProgress =
  | { phase: "parsed"; rows: number; days: number }
  | { phase: "committed"; counts: UpsertCounts }
  | { phase: "partitions"; done: number; total: number };

export interface ImportCsvResult {
  fileName: string;
  format: ImportFormat;
  encoding: CsvEncoding;
  locationId: string;
  station?: number;
  /** 'rejected': nothing written (strict with bad rows, or no good row at all). */
  status: "succeeded" | "failed" | "rejected";
  runId: number | null;
  rowsRead: number;
  rowsValid: number;
  problems: ImportProblem[];
  counts: UpsertCounts;
  partitions?: PartitionReport;
  error?: { class: string; message: string; recordError?: string };
  exportError?: { class: string; message: string };
}

function chooseLocation(rows: readonly ParsedRow[], options: ImportCsvOptions): { location: Location; station?: number } {
  const locations = options.locations ?? DEFAULT_LOCATIONS;
  const fileStation = rows.find((r) => r.station !== undefined)?.station;
  if (options.location) {
    return { location: options.location, ...(options.location.asosStationId !== undefined ? { station: options.location.asosStationId } : fileStation !== undefined ? { station: fileStation } : {}) };
  }
  if (fileStation === undefined) return { location: getLocation(locations, DEFAULT_LOCATION_ID) };
  const match = locations.find((l) => l.asosStationId === fileStation);
  if (!match) throw new ImportRequestError(`the file holds ASOS station ${fileStation}, which no known location has (known: ${locations.map((l) => `${l.id}${l.asosStationId ? ` = station ${l.asosStationId}` : ""}`).join(", ")}): give --location`);
  return { location: match, station: fileStation };
}

export async function runImportCsv(deps: JobDeps, options: ImportCsvOptions): Promise<ImportCsvResult> {
  const { db, clock, logger } = deps;
  const redact = deps.redact ?? identityRedact;
  const parsed = parseObservationCsv(options.bytes);
  const { location, station } = chooseLocation(parsed.rows, options);
  const problems = [...parsed.problems];
  let rows = parsed.rows;
  if (station !== undefined) {
    rows = rows.filter((r) => {
      if (r.station === undefined || r.station === station) return true;
      problems.push({ line: r.line, column: `${parsed.header[parsed.layout.stationColumn!]} (column ${parsed.layout.stationColumn! + 1})`, message: `station ${r.station}, but location ${location.id} is station ${station}` });
      return false;
    });
  }
  problems.sort((a, b) => a.line - b.line);
  const result: ImportCsvResult = {
    fileName: options.fileName,
    format: parsed.format,
    encoding: parsed.encoding,
    locationId: location.id,
    ...(station !== undefined ? { station } : {}),
    status: "rejected",
    runId: null,
    rowsRead: parsed.rowsRead,
    rowsValid: rows.length,
    problems,
    counts: { ...ZERO_COUNTS },
  };
  if ((options.strict && problems.length > 0) || rows.length === 0) {
    logger.info("import rejected, nothing written", { file: options.fileName, bad_rows: problems.length, valid_rows: rows.length, strict: Boolean(options.strict) });
    return result;
  }

  const params = {
    file: options.fileName,
    sha256: await sha256Hex(options.bytes),
    format: parsed.format,
    encoding: parsed.encoding,
    ...(station !== undefined ? { station } : {}),
    rows_read: parsed.rowsRead,
    rows_valid: rows.length,
    bad_rows: problems.length,
    strict: Boolean(options.strict),
  };
  const days = utcDaysOf(rows.map((r) => r.observedAt));
  options.onProgress?.({ phase: "parsed", rows: rows.length, days: days.length });
  result.runId = await startRun(db, clock, { job: "import_csv", locationId: location.id, params });
  const runId = result.runId;
  try {
    const now = clock.now();
    const upserts = rows.map((r) => observationUpsert({ locationId: location.id, observedAt: r.observedAt, source: "import", values: r.values, ingestRunId: runId, rawRef: null }, now));
    result.counts = await commitUpserts(db, upserts, { then: (counts) => [succeededRunStatement(runId, clock, counts)], mustChangeOneRow: [0] });
    result.status = "succeeded";
    options.onProgress?.({ phase: "committed", counts: result.counts });
    logger.info("import committed", { file: options.fileName, location: location.id, run_id: runId, ...result.counts, bad_rows: problems.length });
  } catch (e) {
    const failure = await recordRunFailure(db, clock, runId, e, ZERO_COUNTS, redact);
    result.status = "failed";
    result.error = { class: failure.errorClass, message: failure.errorMessage, ...(failure.recordError ? { recordError: failure.recordError } : {}) };
    logger.error("import failed, nothing written", { file: options.fileName, run_id: runId, error_class: failure.errorClass, error: failure.errorMessage });
    return result;
  }
  try {
    const onPartition = options.onProgress ? (done: number, total: number) => options.onProgress!({ phase: "partitions", done, total }) : undefined;
    result.partitions = await writeObservationPartitions(db, deps.objects, location.id, days, onPartition);
  } catch (e) {
    result.exportError = { class: errorClassOf(e), message: errorMessageOf(e, redact) };
    logger.error("CSV partition export failed after the rows committed; importing the file again rewrites it", { run_id: runId, error_class: result.exportError.class, error: result.exportError.message });
  }
  return result;
}
