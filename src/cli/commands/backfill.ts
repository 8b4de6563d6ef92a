// `nalssi backfill --location <id> --from <date> --to <date>`: ASOS hourly history (src/jobs/backfill.ts).
import process from "node:process";
import type { Command } from "commander";
import { BackfillRequestError, runBackfill } from "../../jobs/backfill.ts";
import { UsageError } from "../errors.ts";
import { locationOption, openJobs } from "../job-setup.ts";
import type { DataOptions } from "../job-setup.ts";
import { startProgress } from "../progress.ts";

interface BackfillOpts extends DataOptions {
  location: string;
  from: string;
  to: string;
  pageSize?: string;
  json?: boolean;
}

export function registerBackfill(program: Command): void {
  program
    .command("backfill")
    .description("fetch the hourly ASOS history of a location's station for a range of KST days (up to yesterday); only missing days are fetched")
    .requiredOption("--location <id>", "location with an ASOS station, e.g. seoul")
    .requiredOption("--from <date>", "first KST day, YYYY-MM-DD")
    .requiredOption("--to <date>", "last KST day, YYYY-MM-DD (at most yesterday)")
    .option("--page-size <n>", "ASOS rows per page (numOfRows), 1..999", "999")
    .option("--data-dir <dir>", "folder of the embedded database and objects (ignored for the database when LIBSQL_URL is set)", "./.nalssi")
    .option("--json", "print the result as JSON")
    .option("-v, --verbose", "log progress to stderr")
    .addHelpText(
      "after",
      "\nEnvironment: KMA_SERVICE_KEY (required), KMA_BASE_URL, LIBSQL_URL, LIBSQL_AUTH_TOKEN.\nInterrupting (Ctrl-C) keeps the days already stored; run the same command again to resume.\nExit codes: 0 done, 1 stopped by a failure (the ingest run row says why), 2 usage.",
    )
    .action(async (opts: BackfillOpts) => {
      const location = locationOption(opts.location);
      const pageSize = Number(opts.pageSize ?? "999");
      if (!/^\d+$/.test(opts.pageSize ?? "999") || pageSize < 1 || pageSize > 999)
        throw new UsageError(`--page-size must be an integer 1..999, got "${opts.pageSize}"`);
      const opened = await openJobs({ ...opts, kma: true });
      const controller = new AbortController();
      const onSignal = () => controller.abort(new Error("interrupted"));
      process.once("SIGINT", onSignal);
      let progress: ReturnType<typeof startProgress> | undefined;
      try {
        const result = await runBackfill(
          { ...opened.deps, kma: opened.kma! },
          {
            location,
            from: opts.from,
            to: opts.to,
            pageSize,
            signal: controller.signal,
            onProgress: (p) => {
              progress ??= startProgress(`backfill ${location.id}`, p.total);
              progress.update(
                p.done,
                p.outcome === "stored"
                  ? `${p.day}: ${p.counts.inserted} inserted, ${p.counts.updated} updated, ${p.counts.skipped} skipped`
                  : `${p.day}: no data at KMA`,
              );
            },
          },
        ).catch((e: unknown) => {
          if (e instanceof BackfillRequestError) throw new UsageError(e.message);
          throw e;
        });
        progress?.stop();
        const c = result.counts;
        if (opts.json) console.log(JSON.stringify(result));
        else {
          console.log(
            `backfill ${result.locationId} (ASOS station ${result.stationId}) ${result.from}..${result.to}: ${result.daysStored.length} days stored, ${result.daysComplete} already complete, ${result.daysNoData.length} without data at KMA${result.daysNoData.length ? ` (${result.daysNoData.join(", ")})` : ""}; ${c.inserted} inserted, ${c.updated} updated, ${c.skipped} skipped (run ${result.runId})`,
          );
        }
        if (result.status === "failed") {
          const e = result.error!;
          throw new Error(
            `backfill stopped at ${e.day ?? "the end"}: ${e.class}: ${e.message} (${result.daysStored.length} days committed before it, run ${result.runId} recorded as failed; run the same command again to resume)`,
          );
        }
        if (result.exportError)
          throw new Error(
            `the rows were stored, but writing the CSV partitions failed: ${result.exportError.class}: ${result.exportError.message} (run the same command again to rewrite them)`,
          );
      } finally {
        progress?.stop();
        process.off("SIGINT", onSignal);
        opened.close();
      }
    });
}
