// The Worker's cron triggers (wrangler.toml [triggers] crons): what runs when. Free of Workers types,
// so `nalssi start` (src/cli/start/schedule.ts) runs the same jobs on the same crons in-process.
export const HOURLY_INGEST_CRON = "15 * * * *";
export const DAILY_PIPELINE_CRON = "30 18 * * *";

/** Every cron the Worker handles; wrangler.toml must name exactly these (scheduled.node.test.ts). */
export const CRONS = [HOURLY_INGEST_CRON, DAILY_PIPELINE_CRON] as const;
export type Cron = (typeof CRONS)[number];
