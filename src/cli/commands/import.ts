// `nalssi import <file.csv...> [--map <mapping.json | inline JSON>] [--timezone +08:00] [--location <id>]
// [--strict]`: hourly observations from CSV files (src/jobs/import-csv.ts), in a built-in layout or
// one described by a column mapping (src/jobs/import/column-map.ts). Does not need KMA_SERVICE_KEY.
import { readFile } from "node:fs/promises";
import process from "node:process";
import { basename } from "node:path";
import type { Command } from "commander";
import { ImportRequestError, runImportCsv } from "../../jobs/import-csv.ts";
import { MappingError, parseColumnMappingJson } from "../../jobs/import/column-map.ts";
import type { ColumnMapping } from "../../jobs/import/column-map.ts";
import { formatQcCounts } from "../../jobs/import/quality.ts";
import type { ImportCsvResult } from "../../jobs/import-csv.ts";
import { DEFAULT_LOCATIONS } from "../../locations/locations.ts";
import { UsageError } from "../errors.ts";
import { locationOption, openJobs } from "../job-setup.ts";
import type { DataOptions } from "../job-setup.ts";
import { importProgress } from "../import-progress.ts";

interface ImportOpts extends DataOptions {
  location?: string;
  map?: string;
  timezone?: string;
  strict?: boolean;
  json?: boolean;
}

/** Bad rows shown on stderr before "... and N more". */
const SHOWN_PROBLEMS = 20;

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new Error(`file ${path} does not exist`);
    if (code === "EISDIR") throw new Error(`${path} is a directory, not a CSV file`);
    throw new Error(`cannot read ${path}: ${(e as Error).message}`);
  }
}

function problemLine(p: ImportCsvResult["problems"][number]): string {
  return `line ${p.line}${p.column ? `, ${p.column}` : ""}: ${p.message}`;
}

/** The --map value: inline JSON when it starts with '{', else a file's path. */
async function loadMapping(value: string): Promise<ColumnMapping> {
  try {
    if (value.trimStart().startsWith("{")) return parseColumnMappingJson(value, "--map (inline JSON)");
    let text: string;
    try {
      text = await readFile(value, "utf8");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UsageError(
        `--map: ${code === "ENOENT" ? `file ${value} does not exist` : `cannot read ${value}: ${(e as Error).message}`} (give a mapping file or inline JSON)`,
      );
    }
    return parseColumnMappingJson(text, `--map ${basename(value)}`);
  } catch (e) {
    if (e instanceof MappingError) throw new UsageError(`--map: ${e.message}`);
    throw e;
  }
}

function locationsText(result: ImportCsvResult): string {
  const ids = result.locations.map((l) => l.locationId);
  return ids.length <= 1 ? result.locationId : `${ids.length} locations (${ids.join(", ")})`;
}

export function registerImport(program: Command): void {
  program
    .command("import")
    .description(
      "import hourly observations from CSV files: ASOS API field names (tm, ta, ...), the KMA data portal export (UTF-8 or CP949), the UCI Seoul bike layout, or any layout with a column mapping (--map)",
    )
    .argument("<file.csv...>", "the CSV files; without --map their layout and encoding are detected")
    .option(
      "--map <mapping>",
      "a column mapping: a JSON file (e.g. data/beijing-multisite/mapping.json) or inline JSON starting with '{' (see the README, Column-mapped import)",
    )
    .option(
      "--timezone <offset>",
      "with --map: the file's clock as a fixed UTC offset (+08:00, -05:30, UTC); overrides the mapping's `timezone`. Times are stored as UTC",
    )
    .option(
      "--location <id>",
      `store the rows for this location. Without --map: a configured location (default: the one with the file's ASOS station, else seoul; known: ${DEFAULT_LOCATIONS.map((l) => l.id).join(", ")}). With --map and no station column: any location id (lowercase slug)`,
    )
    .option("--strict", "reject a file, writing nothing, if any row is bad or any station has no location")
    .option("--data-dir <dir>", "folder of the embedded database and objects (ignored for the database when LIBSQL_URL is set)", "./.nalssi")
    .option("--json", "print each file's result as JSON (one line per file)")
    .option("-v, --verbose", "log progress to stderr (a progress bar is shown on a terminal anyway)")
    .addHelpText(
      "after",
      [
        "",
        "Bad rows are reported with line and column and skipped (or, with --strict, nothing of that file is written).",
        "A file with a station column fills one location per station: KMA layouts (지점, stnId) go to the configured",
        "location with that ASOS station; a mapping's station column names the location id (map or prefix rule).",
        "Stations without a location are reported with their row counts and skipped.",
        "Rows are stored with source 'import' (ranked below ASOS and the KMA nowcast).",
        "Quality flags: temperature outside -45..45 °C or dew point outside -60..35 °C (implausible), and a temperature",
        "that differs from both neighbouring hours by more than 4 °C while they agree within 2 °C (spike), are stored",
        "as read but flagged; training, verification and serving skip them. The summary counts them.",
        "",
        "Example: nalssi import data/beijing-multisite/*.csv --map data/beijing-multisite/mapping.json --timezone +08:00",
        "Exit codes: 0 imported, 1 failed or rejected, 2 usage (bad arguments or mapping).",
      ].join("\n"),
    )
    .action(async (files: string[], opts: ImportOpts) => {
      if (opts.timezone !== undefined && opts.map === undefined) throw new UsageError("--timezone needs --map: the built-in layouts are read as KST");
      const mapping = opts.map !== undefined ? await loadMapping(opts.map) : undefined;
      const location = opts.location !== undefined && !mapping ? locationOption(opts.location) : undefined;
      const opened = await openJobs(opts);
      let failures = 0;
      const unconfigured: string[] = [];
      try {
        for (const file of files) {
          const name = basename(file);
          const bytes = await readBytes(file);
          const progress = importProgress(`import ${name}`, { plain: opts.verbose ?? false });
          const result = await runImportCsv(opened.deps, {
            bytes,
            fileName: name,
            ...(location ? { location } : {}),
            ...(mapping ? { mapping } : {}),
            ...(mapping && opts.location !== undefined ? { locationId: opts.location } : {}),
            ...(opts.timezone !== undefined ? { timezone: opts.timezone } : {}),
            ...(opts.strict ? { strict: true } : {}),
            onProgress: progress.onProgress,
          })
            .catch((e: unknown) => {
              if (e instanceof ImportRequestError) throw new UsageError(`${name}: ${e.message}`);
              if (e instanceof MappingError) throw new UsageError(`${name}: --map: ${e.message}`);
              throw e;
            })
            .finally(() => progress.stop());
          for (const p of result.problems.slice(0, SHOWN_PROBLEMS))
            process.stderr.write(`nalssi: ${name}: bad row${result.status === "succeeded" ? " skipped" : ""}: ${problemLine(p)}\n`);
          if (result.problems.length > SHOWN_PROBLEMS)
            process.stderr.write(`nalssi: ${name}: ... and ${result.problems.length - SHOWN_PROBLEMS} more bad rows\n`);
          if (result.unmappedStations.length > 0) {
            process.stderr.write(
              `nalssi: ${name}: stations with no location, rows ${result.status === "succeeded" ? "skipped" : "not written"}: ${result.unmappedStations.map((u) => `${u.station} (${u.rows} rows)`).join(", ")}\n`,
            );
          }
          const c = result.counts;
          if (opts.json) console.log(JSON.stringify(result));
          else if (result.status === "succeeded") {
            console.log(
              `imported ${name} (${result.format}, ${result.encoding}) into ${locationsText(result)}: ${c.inserted} inserted, ${c.updated} updated, ${c.skipped} skipped; ${result.problems.length} bad rows skipped; quality flags (kept, not used): ${formatQcCounts(result.quality)} (run ${result.locations.map((l) => l.runId).join(", ")})`,
            );
            for (const l of result.locations) if (!l.configured && !unconfigured.includes(l.locationId)) unconfigured.push(l.locationId);
          }
          try {
            if (result.status === "rejected") {
              const first = result.problems[0];
              throw new Error(
                result.rowsValid === 0
                  ? `${name}: no valid rows (${result.rowsRead} read, ${result.problems.length} bad${result.unmappedStations.length ? `, ${result.unmappedStations.length} stations without a location` : ""}${first ? `; first: ${problemLine(first)}` : ""}); nothing written`
                  : first
                    ? `${name}: --strict and ${result.problems.length} bad rows (first: ${problemLine(first)}); nothing written`
                    : `${name}: --strict and ${result.unmappedStations.length} stations without a location; nothing written`,
              );
            }
            if (result.status === "failed")
              throw new Error(
                `${name}: import failed, nothing written${result.locations.length > 1 ? " for a location" : ""}: ${result.error!.class}: ${result.error!.message} (run ${result.locations.find((l) => l.status === "failed")?.runId})`,
              );
            if (result.exportError)
              throw new Error(
                `the rows were stored, but writing the CSV partitions failed: ${result.exportError.class}: ${result.exportError.message} (import the file again to rewrite them)`,
              );
          } catch (e) {
            if (files.length === 1) throw e;
            failures++;
            process.stderr.write(`nalssi: error: ${(e as Error).message}\n`);
          }
        }
      } finally {
        opened.close();
      }
      if (unconfigured.length > 0) {
        process.stderr.write(
          `nalssi: note: ${unconfigured.join(", ")} ${unconfigured.length > 1 ? "are not configured locations" : "is not a configured location"}: stored for training and backtests; serving and the hourly ingest cover configured locations only (src/locations)\n`,
        );
      }
      if (failures > 0) throw new Error(`${failures} of ${files.length} files were not imported completely (see above)`);
    });
}
