// What a cron job is given (the trigger's time, the Worker's env, a logger without secrets), and that
// logger: shared by the cron dispatch (scheduled.ts) and the ingest queue consumer (ingest-queue.ts).
import { settingsRedactor } from "../../compose.ts";
import { jsonLinesLogger } from "../../logging/line-loggers.ts";
import type { LogLevel } from "../../logging/line-loggers.ts";
import type { Logger } from "../../ports/logger.ts";
import type { Env } from "./env.ts";

export interface ScheduledRun {
  /** The trigger's scheduled time (epoch ms): what "now" is for the job. */
  scheduledTime: number;
  env: Env;
  logger: Logger;
  /** Removes the KMA key and the libSQL token from text. */
  redact: (text: string) => string;
}

export type ScheduledJob = (run: ScheduledRun) => Promise<void>;

/** The Worker's JSON-lines logger on the console, without any secret of `env`. */
export function workerLogger(env: Env, base: Record<string, unknown>): { logger: Logger; redact: (text: string) => string } {
  const redact = settingsRedactor(env);
  const write = (line: string, level: LogLevel) => (level === "error" ? console.error(line) : level === "warn" ? console.warn(line) : console.log(line));
  return { logger: jsonLinesLogger(write, { redact, base }), redact };
}
