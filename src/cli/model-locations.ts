// Which locations `train` and `backtest` may model: a configured location (src/cli/locations-config.ts),
// or any location id with observations in the database (e.g. the Beijing sites imported with a
// column mapping, which no configuration lists). The second kind is allowed with a note on stderr:
// it trains and registers like any other, but serving answers only for configured locations.
import process from "node:process";
import type { Database } from "../ports/database.ts";
import { closeMatches } from "../locations/lookup.ts";
import type { Location } from "../locations/locations.ts";
import { UsageError } from "./errors.ts";

/** Location ids with at least one observation, sorted. */
export async function locationsWithData(db: Pick<Database, "execute">): Promise<string[]> {
  const r = await db.execute("SELECT DISTINCT location_id FROM observations ORDER BY location_id");
  return r.rows.map((row) => String(row.location_id));
}

/** A comma list of ids (`a,b`), trimmed, without duplicates; empty parts are a UsageError. */
export function parseLocationList(value: string, option = "--location"): string[] {
  const ids = value.split(",").map((s) => s.trim());
  if (ids.some((s) => s === "")) throw new UsageError(`${option} must be location ids separated by commas, got ${JSON.stringify(value)}`);
  return [...new Set(ids)];
}

/**
 * The ids checked against the configured locations and the database: configured ids pass; ids with
 * observations pass with one note per command; anything else is a UsageError with close matches.
 */
export async function modelLocations(
  db: Pick<Database, "execute">,
  ids: readonly string[],
  configured: readonly Location[],
  note: (line: string) => void = (l) => void process.stderr.write(`${l}\n`),
): Promise<string[]> {
  const known = new Set(configured.map((l) => l.id));
  const unconfigured = ids.filter((id) => !known.has(id));
  if (!unconfigured.length) return [...ids];
  const withData = await locationsWithData(db);
  const missing = unconfigured.filter((id) => !withData.includes(id));
  if (missing.length) {
    const candidates = [...new Set([...known, ...withData])];
    const hints = missing.map((id) => {
      const close = closeMatches(id, candidates);
      return `${id}${close.length ? ` (did you mean ${close.join(", ")}?)` : ""}`;
    });
    throw new UsageError(
      `--location: ${hints.join("; ")}: not a configured location and no observations in the database (configured: ${[...known].join(", ")}; with data: ${withData.length ? withData.join(", ") : "none"})`,
    );
  }
  note(
    `nalssi: note: ${unconfigured.join(", ")} ${unconfigured.length > 1 ? "are" : "is"} not configured; modelling ${unconfigured.length > 1 ? "their" : "its"} observations from the database (serving answers only for configured locations)`,
  );
  return [...ids];
}
