// With a KMA service key, `nalssi start` runs the Worker's cron jobs in-process: the hourly ingest
// and the daily training pipeline. One source of truth for WHEN: the cron expressions are read from
// wrangler.toml ([triggers] crons, with smol-toml) at startup; WHAT each runs is chosen by the
// constants of src/adapters/workers/scheduled.ts (the Worker's own dispatch table), whose test asserts
// wrangler.toml names exactly those crons. Cron expressions are UTC, as on Cloudflare, whatever
// the machine's time zone.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { Cron } from "croner";
import { parse } from "smol-toml";
import { DAILY_PIPELINE_CRON, HOURLY_INGEST_CRON } from "../../adapters/workers/crons.ts";

export const WRANGLER_TOML = fileURLToPath(new URL("../../../wrangler.toml", import.meta.url));

export type LocalJobName = "hourly_ingest" | "daily_pipeline";

/** The cron expressions of wrangler.toml's [triggers] crons. */
export async function wranglerCrons(path = WRANGLER_TOML): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new Error(`cannot read ${path} for the cron schedule: ${(e as Error).message}`);
  }
  const toml = parse(text) as { triggers?: { crons?: unknown } };
  const crons = toml.triggers?.crons;
  if (!Array.isArray(crons) || crons.some((c) => typeof c !== "string")) throw new Error(`${path}: [triggers] crons must be a list of cron expressions`);
  return crons as string[];
}

/** cron -> local job, for every cron of wrangler.toml; a cron with no local job is an error naming it. */
export function localJobs(crons: readonly string[]): { cron: string; job: LocalJobName }[] {
  return crons.map((cron) => {
    if (cron === HOURLY_INGEST_CRON) return { cron, job: "hourly_ingest" };
    if (cron === DAILY_PIPELINE_CRON) return { cron, job: "daily_pipeline" };
    throw new Error(
      `wrangler.toml has the cron "${cron}", which has no local job (known: "${HOURLY_INGEST_CRON}" hourly ingest, "${DAILY_PIPELINE_CRON}" daily pipeline)`,
    );
  });
}

export interface Scheduled {
  jobs: { cron: string; job: LocalJobName; next: Date | null }[];
  stop(): void;
}

/**
 * Schedules each job on its cron (UTC). A run that is still going when the next is due is skipped
 * (croner's protect), and a failure is reported to `onError` — never thrown into the timer.
 */
export function schedule(
  jobs: readonly { cron: string; job: LocalJobName }[],
  run: (job: LocalJobName, scheduledAt: Date) => Promise<void>,
  onError: (job: LocalJobName, e: unknown) => void,
): Scheduled {
  const crons = jobs.map(
    ({ cron, job }) =>
      new Cron(cron, { timezone: "UTC", protect: true, name: job }, async (self: Cron) => {
        const at = self.currentRun() ?? new Date();
        try {
          await run(job, at);
        } catch (e) {
          onError(job, e);
        }
      }),
  );
  return {
    jobs: jobs.map((j, i) => ({ ...j, next: crons[i]!.nextRun() })),
    stop: () => crons.forEach((c) => c.stop()),
  };
}
