// `nalssi import <file.csv> [--location <id>] [--strict]`: hourly observations from a CSV file
// (src/jobs/import-csv.ts). Does not need KMA_SERVICE_KEY.
import { readFile } from "node:fs/promises";
import process from "node:process";
import { basename } from "node:path";
import type { Command } from "commander";
import { ImportRequestError, runImportCsv } from "../../jobs/import-csv.ts";
import type { ImportCsvResult } from "../../jobs/import-csv.ts";
import { DEFAULT_LOCATIONS } from "../../locations/locations.ts";
import { UsageError } from "../errors.ts";
import { locationOption, openJobs } from "../job-setup.ts";
import type { DataOptions } from "../job-setup.ts";
import { importProgress } from "../import-progress.ts";

interface ImportOpts extends DataOptions {
  location?: string;
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

export function registerImport(program: Command): void {
  program
    .command("import")
    .description("import hourly observations from a CSV file: ASOS API field names (tm, ta, ...), the KMA data portal export (UTF-8 or CP949), or the UCI Seoul bike layout")
    .argument("<file.csv>", "the CSV file; its layout and encoding are detected")
    .option("--location <id>", `store the rows for this location (default: the one with the file's ASOS station, else seoul; known: ${DEFAULT_LOCATIONS.map((l) => l.id).join(", ")})`)
    .option("--strict", "reject the whole file, writing nothing, if any row is bad")
    .option("--data-dir <dir>", "folder of the embedded database and objects (ignored for the database when LIBSQL_URL is set)", "./.nalssi")
    .option("--json", "print the result as JSON")
    .option("-v, --verbose", "log progress to stderr (a progress bar is shown on a terminal anyway)")
    .addHelpText("after", "\nBad rows are reported with line and column and skipped (or, with --strict, nothing is written).\nRows are stored with source 'import' (ranked below ASOS and the KMA nowcast).\nExit codes: 0 imported, 1 failed or rejected, 2 usage.")
    .action(async (file: string, opts: ImportOpts) => {
      const location = opts.location !== undefined ? locationOption(opts.location) : undefined;
      const bytes = await readBytes(file);
      const opened = await openJobs(opts);
      const progress = importProgress(`import ${basename(file)}`, { plain: opts.verbose ?? false });
      try {
        const result = await runImportCsv(opened.deps, { bytes, fileName: basename(file), ...(location ? { location } : {}), ...(opts.strict ? { strict: true } : {}), onProgress: progress.onProgress })
          .catch((e: unknown) => {
            if (e instanceof ImportRequestError) throw new UsageError(e.message);
            throw e;
          })
          .finally(() => progress.stop());
        for (const p of result.problems.slice(0, SHOWN_PROBLEMS)) process.stderr.write(`nalssi: ${basename(file)}: bad row${result.status === "succeeded" ? " skipped" : ""}: ${problemLine(p)}\n`);
        if (result.problems.length > SHOWN_PROBLEMS) process.stderr.write(`nalssi: ${basename(file)}: ... and ${result.problems.length - SHOWN_PROBLEMS} more bad rows\n`);
        const c = result.counts;
        if (opts.json) console.log(JSON.stringify(result));
        else if (result.status === "succeeded") {
          console.log(
            `imported ${basename(file)} (${result.format}, ${result.encoding}) into ${result.locationId}: ${c.inserted} inserted, ${c.updated} updated, ${c.skipped} skipped; ${result.problems.length} bad rows skipped (run ${result.runId})`,
          );
        }
        if (result.status === "rejected") {
          const first = result.problems[0];
          throw new Error(
            result.rowsValid === 0
              ? `${basename(file)}: no valid rows (${result.rowsRead} read, ${result.problems.length} bad${first ? `; first: ${problemLine(first)}` : ""}); nothing written`
              : `${basename(file)}: --strict and ${result.problems.length} bad rows (first: ${problemLine(first!)}); nothing written`,
          );
        }
        if (result.status === "failed") throw new Error(`${basename(file)}: import failed, nothing written: ${result.error!.class}: ${result.error!.message} (run ${result.runId})`);
        if (result.exportError) throw new Error(`the rows were stored, but writing the CSV partitions failed: ${result.exportError.class}: ${result.exportError.message} (import the file again to rewrite them)`);
      } finally {
        opened.close();
      }
    });
}
