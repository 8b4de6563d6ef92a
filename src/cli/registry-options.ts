// Shared by `nalssi runs`, `models`, `promote` and `rollback`: option parsing (wrong values are usage
// errors, exit 2, that name the option) and opening the data folder.
import process from "node:process";
import { LOCATION_ID_PATTERN } from "../locations/locations.ts";
import { RUN_STATUSES } from "../tracking/runs.ts";
import type { RunStatus } from "../tracking/runs.ts";
import { UsageError } from "./errors.ts";
import { openJobs } from "./job-setup.ts";
import type { OpenedJobs } from "./job-setup.ts";

export const DATA_DIR_HELP = "data folder with nalssi.db and objects/ (ignored for the database when LIBSQL_URL is set)";

export function parseLocation(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.length > 64 || !LOCATION_ID_PATTERN.test(value))
    throw new UsageError(`--location ${JSON.stringify(value)} is not a location id (a lowercase slug such as seoul)`);
  return value;
}

export function parseLimit(value: string | undefined, fallback: number, max = 1000, option = "--limit"): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > max) throw new UsageError(`${option} must be a whole number from 1 to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

export function parseStatus(value: string | undefined): RunStatus | undefined {
  if (value === undefined) return undefined;
  if (!(RUN_STATUSES as readonly string[]).includes(value))
    throw new UsageError(`--status must be one of ${RUN_STATUSES.join(", ")}, got ${JSON.stringify(value)}`);
  return value as RunStatus;
}

/** --by, or the login name from the environment; a person must be named in the history. */
export function personName(by: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): string {
  const name = (by ?? env.USER ?? env.USERNAME ?? env.LOGNAME ?? "").trim();
  if (name === "") throw new UsageError("say who is doing this with --by <name> (it is recorded in the promotion history)");
  if (name.length > 100) throw new UsageError("--by is longer than 100 characters");
  return name;
}

export function parseReason(reason: string | undefined): string | undefined {
  if (reason === undefined) return undefined;
  if (reason.trim() === "") throw new UsageError("--reason is empty");
  if (reason.length > 2000) throw new UsageError("--reason is longer than 2000 characters");
  return reason;
}

/** Opens the data folder (src/cli/job-setup.ts: nalssi.db or LIBSQL_URL, objects/, migrations), runs `work`, closes. */
export async function withDataFolder<T>(dataDir: string, work: (opened: OpenedJobs) => Promise<T>): Promise<T> {
  const opened = await openJobs({ dataDir });
  try {
    return await work(opened);
  } finally {
    await opened.close();
  }
}
