// `import`: hourly observations from a CSV file (ASOS API field names, the KMA data portal export in
// UTF-8 or CP949, or the UCI Seoul bike layout; import/csv-formats.ts; or any layout described by a
// column mapping, import/column-map.ts) into the observations table, source 'import' for all.
//
// Locations: a file without a station column goes to one location (--location, default seoul). A
// file with a station column is split by station: the KMA layouts' ASOS station numbers go to the
// configured location with that station (stations no location has are reported with their row
// counts and skipped); a column mapping's station column names the location id itself (explicit map
// or prefix rule), and that id need not be a configured location (the rows are stored under it for
// training and backtests; serving and the hourly ingest cover configured locations only).
//
// Why 'import' and not 'asos' for the two ASOS layouts: 'asos' means "fetched by nalssi from
// AsosHourlyInfoService, the payload kept under raw_ref" (migration 0001's description); a file's
// origin cannot be verified (hand edits, another station, a spreadsheet's rounding), so it ranks
// below both KMA sources, and `backfill` still fetches the real ASOS hours over it. Nothing is lost:
// the best value per field is chosen by the observations_best view.
//
// Consistency: the file is parsed and checked completely first (bad rows reported by line and
// column); with `strict`, any bad row rejects the file and nothing at all is written (no run row
// either). Otherwise, per location, one ingest run (job 'import_csv', params: file name, SHA-256,
// layout, encoding, counts) is started and ALL that location's good rows plus the run's completion go
// into ONE write transaction: each location's part is applied entirely or not at all. The CSV partitions of the touched UTC
// days are rewritten after the commit (csv-partitions.ts).
import { observationUpsert } from "../db/observations.ts";
import { DEFAULT_LOCATION_ID, DEFAULT_LOCATIONS, LOCATION_ID_PATTERN, getLocation } from "../locations/locations.ts";
import type { Location } from "../locations/locations.ts";
import { sha256Hex } from "../ids/sha256.ts";
import type { UpsertCounts } from "../db/upsert-counts.ts";
import { commitUpserts } from "./commit-rows.ts";
import { utcDaysOf, writeObservationPartitions } from "./csv-partitions.ts";
import type { PartitionReport } from "./csv-partitions.ts";
import type { ImportFormat } from "./import/csv-formats.ts";
import { compileColumnMapping } from "./import/column-map.ts";
import type { ColumnMapping } from "./import/column-map.ts";
import { parseObservationCsv } from "./import/parse-observation-csv.ts";
import { countFlags, qualityFlags } from "./import/quality.ts";
import type { QcCounts } from "./import/quality.ts";
import type { ImportProblem, ParsedObservationCsv, ParsedRow } from "./import/parse-observation-csv.ts";
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
  /**
   * A column mapping (import/column-map.ts) instead of the built-in layouts. Its rows go to the
   * locations its station column names, or else to `locationId`.
   */
  mapping?: ColumnMapping;
  /** With `mapping`: the clock of the file (fixed UTC offset, '+08:00'); overrides the mapping's. */
  timezone?: string;
  /** With `mapping` and no station column: the location id of every row (configured or not). */
  locationId?: string;
  /** Reject the whole file (writing nothing) when any row is bad or any station has no location. */
  strict?: boolean;
  /** Told what happened so far (for a progress bar): parsed, committed, then each partition written. */
  onProgress?: (p: ImportProgress) => void;
}

export type ImportProgress =
  | { phase: "parsed"; rows: number; days: number }
  | { phase: "committed"; counts: UpsertCounts }
  | { phase: "partitions"; done: number; total: number };

/** One location's part of the file: its own ingest run and transaction. */
export interface LocationImport {
  locationId: string;
  /** The ASOS station the rows are (KMA layouts), when known. */
  station?: number;
  /** Whether the id is a configured location (src/locations); a mapping may name any id. */
  configured: boolean;
  status: "succeeded" | "failed";
  runId: number | null;
  rows: number;
  /** Rows with at least one flagged value. */
  flaggedRows: number;
  counts: UpsertCounts;
  /** Values flagged by the quality checks (kept, not used): field -> flag -> count. */
  quality: QcCounts;
  partitions?: PartitionReport;
  error?: { class: string; message: string; recordError?: string };
  exportError?: { class: string; message: string };
}

export interface ImportCsvResult {
  fileName: string;
  format: ImportFormat;
  encoding: CsvEncoding;
  /** The (first) location's id; see `locations` for a file split over several. */
  locationId: string;
  station?: number;
  /** 'rejected': nothing written (strict with bad rows, or no good row at all). 'failed': a location's transaction failed. */
  status: "succeeded" | "failed" | "rejected";
  /** The (first) location's run. */
  runId: number | null;
  rowsRead: number;
  rowsValid: number;
  problems: ImportProblem[];
  /** Stations in the file that no location is configured / mapped for: their rows were skipped. */
  unmappedStations: { station: string; rows: number }[];
  /** Summed over the locations. */
  counts: UpsertCounts;
  /** Quality flags summed over the locations (import/quality.ts): stored with the values, which training and verification skip. */
  quality: QcCounts;
  /** Rows with at least one flagged value. */
  flaggedRows: number;
  locations: LocationImport[];
  partitions?: PartitionReport;
  error?: { class: string; message: string; recordError?: string };
  exportError?: { class: string; message: string };
}

interface Group {
  locationId: string;
  station?: number;
  configured: boolean;
  rows: ParsedRow[];
}

const isConfigured = (locations: readonly Location[], id: string) => locations.some((l) => l.id === id);

/** Splits the parsed rows into location groups (see the header); unmatched stations go to `unmapped`. */
function groupRows(parsed: ParsedObservationCsv, options: ImportCsvOptions, problems: ImportProblem[], unmapped: Map<string, number>): Group[] {
  const locations = options.locations ?? DEFAULT_LOCATIONS;
  if (options.mapping) {
    if (parsed.layout.locationOf) {
      const byId = new Map<string, ParsedRow[]>();
      for (const r of parsed.rows) {
        const list = byId.get(r.locationId!) ?? [];
        list.push(r);
        byId.set(r.locationId!, list);
      }
      return [...byId].map(([id, rows]) => ({ locationId: id, configured: isConfigured(locations, id), rows }));
    }
    return [{ locationId: options.locationId!, configured: isConfigured(locations, options.locationId!), rows: parsed.rows }];
  }
  const stationColumn = parsed.layout.stationColumn;
  const stationLabel = () => `${parsed.header[stationColumn!]} (column ${stationColumn! + 1})`;
  const fileStation = parsed.rows.find((r) => r.station !== undefined)?.station;
  if (options.location) {
    const location = options.location;
    const station = location.asosStationId ?? fileStation;
    const rows = parsed.rows.filter((r) => {
      if (r.station === undefined || station === undefined || r.station === station) return true;
      problems.push({ line: r.line, column: stationLabel(), message: `station ${r.station}, but location ${location.id} is station ${station}` });
      return false;
    });
    return [{ locationId: location.id, ...(station !== undefined ? { station } : {}), configured: isConfigured(locations, location.id), rows }];
  }
  if (fileStation === undefined) return [{ locationId: getLocation(locations, DEFAULT_LOCATION_ID).id, configured: true, rows: parsed.rows }];
  // Split by station: each station with a configured location fills that location.
  const byStation = new Map<number, ParsedRow[]>();
  for (const r of parsed.rows) {
    const list = byStation.get(r.station!) ?? [];
    list.push(r);
    byStation.set(r.station!, list);
  }
  const groups: Group[] = [];
  for (const [station, rows] of byStation) {
    const match = locations.find((l) => l.asosStationId === station);
    if (match) groups.push({ locationId: match.id, station, configured: true, rows });
    else unmapped.set(String(station), rows.length);
  }
  if (groups.length === 0) {
    const stations = [...byStation.keys()];
    throw new ImportRequestError(
      `the file holds ASOS station${stations.length > 1 ? "s" : ""} ${stations.join(", ")}, which no known location has (known: ${locations.map((l) => `${l.id}${l.asosStationId ? ` = station ${l.asosStationId}` : ""}`).join(", ")}): give --location`,
    );
  }
  return groups;
}

function parseFile(options: ImportCsvOptions): ParsedObservationCsv {
  const mapping = options.mapping;
  if (!mapping) return parseObservationCsv(options.bytes);
  if (mapping.station && options.locationId !== undefined) {
    throw new ImportRequestError(`the mapping sends rows to locations by its station column (${mapping.station.column}): --location cannot be given as well`);
  }
  if (!mapping.station && options.locationId === undefined) {
    throw new ImportRequestError("the mapping has no station column: give --location <id> (any location id, e.g. beijing-dongsi)");
  }
  if (options.locationId !== undefined && (!LOCATION_ID_PATTERN.test(options.locationId) || options.locationId.length > 64)) {
    throw new ImportRequestError(
      `--location ${JSON.stringify(options.locationId)} is not a location id (a lowercase slug: a-z, 0-9 and single hyphens, starting with a letter)`,
    );
  }
  return parseObservationCsv(options.bytes, {
    layout: (header) => compileColumnMapping(mapping, header, options.timezone !== undefined ? { timezone: options.timezone } : {}),
  });
}

export async function runImportCsv(deps: JobDeps, options: ImportCsvOptions): Promise<ImportCsvResult> {
  const { logger } = deps;
  const redact = deps.redact ?? identityRedact;
  const parsed = parseFile(options);
  const problems = [...parsed.problems];
  const unmapped = new Map(parsed.unmappedStations);
  const groups = groupRows(parsed, options, problems, unmapped);
  problems.sort((a, b) => a.line - b.line);
  const rowsValid = groups.reduce((n, g) => n + g.rows.length, 0);
  const first = groups[0]!;
  const result: ImportCsvResult = {
    fileName: options.fileName,
    format: parsed.format,
    encoding: parsed.encoding,
    locationId: first.locationId,
    ...(first.station !== undefined ? { station: first.station } : {}),
    status: "rejected",
    runId: null,
    rowsRead: parsed.rowsRead,
    rowsValid,
    problems,
    unmappedStations: [...unmapped].map(([station, rows]) => ({ station, rows })),
    counts: { ...ZERO_COUNTS },
    quality: {},
    flaggedRows: 0,
    locations: [],
  };
  if ((options.strict && (problems.length > 0 || unmapped.size > 0)) || rowsValid === 0) {
    logger.info("import rejected, nothing written", {
      file: options.fileName,
      bad_rows: problems.length,
      valid_rows: rowsValid,
      unmapped_stations: unmapped.size,
      strict: Boolean(options.strict),
    });
    return result;
  }

  const sha256 = await sha256Hex(options.bytes);
  const totalDays = groups.reduce((n, g) => n + utcDaysOf(g.rows.map((r) => r.observedAt)).length, 0);
  options.onProgress?.({ phase: "parsed", rows: rowsValid, days: totalDays });
  let partitionsDone = 0;
  for (const g of groups.filter((x) => x.rows.length > 0)) {
    const part = await importLocation(deps, options, parsed, g, {
      sha256,
      badRows: problems.length,
      redact,
      onCommitted: (counts) => {
        for (const k of ["inserted", "updated", "skipped"] as const) result.counts[k] += counts[k];
        options.onProgress?.({ phase: "committed", counts: { ...result.counts } });
      },
      onPartition: () => options.onProgress?.({ phase: "partitions", done: ++partitionsDone, total: totalDays }),
    });
    result.locations.push(part);
    for (const [field, c] of Object.entries(part.quality)) {
      const into = (result.quality[field as keyof QcCounts] ??= {});
      for (const [flag, n] of Object.entries(c!)) into[flag as "spike"] = (into[flag as "spike"] ?? 0) + n!;
    }
    result.flaggedRows += part.flaggedRows;
  }
  const lead = result.locations[0];
  if (lead) {
    result.runId = lead.runId;
    if (lead.partitions) result.partitions = lead.partitions;
  }
  const failed = result.locations.find((l) => l.status === "failed");
  result.status = failed ? "failed" : "succeeded";
  if (failed?.error) result.error = failed.error;
  const exportFailed = result.locations.find((l) => l.exportError);
  if (exportFailed?.exportError) result.exportError = exportFailed.exportError;
  logger.info("import done", {
    file: options.fileName,
    locations: result.locations.length,
    ...result.counts,
    bad_rows: problems.length,
    unmapped_stations: unmapped.size,
    flagged_rows: result.flaggedRows,
  });
  return result;
}

async function importLocation(
  deps: JobDeps,
  options: ImportCsvOptions,
  parsed: ParsedObservationCsv,
  g: Group,
  ctx: { sha256: string; badRows: number; redact: (t: string) => string; onCommitted: (counts: UpsertCounts) => void; onPartition: () => void },
): Promise<LocationImport> {
  const { db, clock, logger } = deps;
  const flags = qualityFlags(g.rows);
  const quality = countFlags(flags);
  const flaggedRows = flags.filter((f) => f !== undefined).length;
  const params = {
    file: options.fileName,
    sha256: ctx.sha256,
    format: parsed.format,
    encoding: parsed.encoding,
    ...(g.station !== undefined ? { station: g.station } : {}),
    ...(options.mapping ? { timezone: options.timezone ?? options.mapping.timezone } : {}),
    rows_read: parsed.rowsRead,
    rows_valid: g.rows.length,
    bad_rows: ctx.badRows,
    flagged_rows: flaggedRows,
    quality,
    strict: Boolean(options.strict),
  };
  const part: LocationImport = {
    locationId: g.locationId,
    ...(g.station !== undefined ? { station: g.station } : {}),
    configured: g.configured,
    status: "failed",
    runId: null,
    rows: g.rows.length,
    counts: { ...ZERO_COUNTS },
    quality,
    flaggedRows,
  };
  const days = utcDaysOf(g.rows.map((r) => r.observedAt));
  part.runId = await startRun(db, clock, { job: "import_csv", locationId: g.locationId, params });
  const runId = part.runId;
  try {
    const now = clock.now();
    const upserts = g.rows.map((r, i) =>
      observationUpsert(
        { locationId: g.locationId, observedAt: r.observedAt, source: "import", values: r.values, qcFlags: flags[i] ?? null, ingestRunId: runId, rawRef: null },
        now,
      ),
    );
    part.counts = await commitUpserts(db, upserts, { then: (counts) => [succeededRunStatement(runId, clock, counts)], mustChangeOneRow: [0] });
    part.status = "succeeded";
    ctx.onCommitted(part.counts);
    logger.info("import committed", { file: options.fileName, location: g.locationId, run_id: runId, ...part.counts, bad_rows: ctx.badRows });
  } catch (e) {
    const failure = await recordRunFailure(db, clock, runId, e, ZERO_COUNTS, ctx.redact);
    part.error = { class: failure.errorClass, message: failure.errorMessage, ...(failure.recordError ? { recordError: failure.recordError } : {}) };
    logger.error("import failed, nothing written for this location", {
      file: options.fileName,
      location: g.locationId,
      run_id: runId,
      error_class: failure.errorClass,
      error: failure.errorMessage,
    });
    return part;
  }
  try {
    part.partitions = await writeObservationPartitions(db, deps.objects, g.locationId, days, ctx.onPartition);
  } catch (e) {
    part.exportError = { class: errorClassOf(e), message: errorMessageOf(e, ctx.redact) };
    logger.error("CSV partition export failed after the rows committed; importing the file again rewrites it", {
      run_id: runId,
      error_class: part.exportError.class,
      error: part.exportError.message,
    });
  }
  return part;
}
