// `nalssi ingest`: the newest nowcast and short-term forecast for every location (src/jobs/ingest.ts).
import type { Command } from "commander";
import { INGEST_PRODUCTS, runIngest } from "../../jobs/ingest.ts";
import type { IngestStep } from "../../jobs/ingest.ts";
import { UsageError } from "../errors.ts";
import { locationOption, openJobs } from "../job-setup.ts";
import type { DataOptions } from "../job-setup.ts";
import { configuredLocations, withLocationsOption } from "../locations-config.ts";

interface IngestOpts extends DataOptions {
  location?: string[];
  locations?: string;
  at?: string;
  json?: boolean;
}

const JOB_NAMES = { ultraSrtNcst: "ultra_srt_ncst", vilageFcst: "vilage_fcst" } as const;

function parseAt(text: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text) || Number.isNaN(new Date(text).getTime())) {
    throw new UsageError(`--at must be an ISO 8601 time with Z or an offset (e.g. 2025-05-29T02:15+09:00), got "${text}"`);
  }
  return new Date(text);
}

function describeStep(s: IngestStep): string {
  const issue = s.baseDate ? ` ${s.baseDate} ${s.baseTime} KST${s.fallbackFrom ? ` (newest ${s.fallbackFrom} had no data yet)` : ""}` : "";
  const run = s.runId !== null ? ` (run ${s.runId})` : "";
  if (s.status === "succeeded") {
    const c = s.counts;
    const exp = s.exportError ? `; CSV partition export FAILED: ${s.exportError.class}: ${s.exportError.message}` : "";
    return `ingest ${s.locationId} ${s.job}${issue}: ${c.inserted} inserted, ${c.updated} updated, ${c.skipped} skipped${run}${exp}`;
  }
  return `ingest ${s.locationId} ${s.job}${issue}: FAILED ${s.error!.class}: ${s.error!.message}${run}${s.error!.recordError ? ` [the failure could not be recorded: ${s.error!.recordError}]` : ""}`;
}

export function summarizeFailures(steps: readonly IngestStep[]): string {
  const failed = steps.filter((s) => s.status === "failed");
  const exports = steps.filter((s) => s.exportError);
  const parts = [
    ...failed.map((s) => `${s.locationId} ${s.job}: ${s.error!.class}: ${s.error!.message}`),
    ...exports.map((s) => `${s.locationId} ${s.job}: CSV partition export ${s.exportError!.class}: ${s.exportError!.message}`),
  ];
  return `ingest failed for ${failed.length + exports.length} of ${steps.length} steps: ${parts.join("; ")}`;
}

export function registerIngest(program: Command): void {
  withLocationsOption(
    program
      .command("ingest")
      .description("fetch the newest KMA ultra-short-term nowcast and short-term forecast for every location into the database and object store")
      .option("--location <id...>", "only these of the configured locations")
      .option("--at <time>", "fetch the issues that were newest at this time (ISO 8601, e.g. 2025-05-29T02:15+09:00); default now")
      .option("--data-dir <dir>", "folder of the embedded database and objects (ignored for the database when LIBSQL_URL is set)", "./.nalssi")
      .option("--json", "print the result as JSON")
      .option("-v, --verbose", "log progress to stderr"),
  )
    .addHelpText(
      "after",
      "\nEnvironment: KMA_SERVICE_KEY (required), KMA_BASE_URL, LIBSQL_URL, LIBSQL_AUTH_TOKEN, NALSSI_LOCATIONS_FILE, LOCATIONS.\nExit codes: 0 every step stored, 1 a step failed (its ingest run row says why), 2 usage.",
    )
    .action(async (opts: IngestOpts) => {
      const configured = configuredLocations(opts.locations);
      const locations = opts.location ? opts.location.map((id) => locationOption(id, configured)) : configured;
      const at = opts.at !== undefined ? parseAt(opts.at) : undefined;
      const opened = await openJobs({ ...opts, kma: true });
      try {
        const result = await runIngest({ ...opened.deps, kma: opened.kma! }, { locations, ...(at ? { at } : {}), products: INGEST_PRODUCTS });
        if (opts.json) {
          console.log(
            JSON.stringify({
              ok: result.ok,
              database: opened.databaseLocation,
              objects: opened.objectsFolder,
              steps: result.steps.map((s) => ({ ...s, job: JOB_NAMES[s.product] })),
            }),
          );
        } else {
          for (const s of result.steps) console.log(describeStep(s));
        }
        if (!result.ok) throw new Error(summarizeFailures(result.steps));
      } finally {
        opened.close();
      }
    });
}
