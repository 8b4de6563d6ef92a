// The configured locations on Node and Deno: `--locations <file>` (a JSON file: a list of ASOS
// station ids/numbers and custom points, or {"locations": [...]}; src/locations/configured.ts), else
// the file named by NALSSI_LOCATIONS_FILE, else the LOCATIONS variable (JSON or a comma list, as on
// Workers), else seoul only.
import { readFileSync } from "node:fs";
import process from "node:process";
import type { Command } from "commander";
import { locationsFromConfig, locationsFromText } from "../locations/configured.ts";
import { LocationError } from "../locations/locations.ts";
import type { Location } from "../locations/locations.ts";
import { UsageError } from "./errors.ts";

type Env = Readonly<Record<string, string | undefined>>;

export const LOCATIONS_OPTION_HELP =
  "JSON file of the locations to serve and ingest: station ids (`nalssi locations --all`) and {id, name, lat, lon, station?} points (default: NALSSI_LOCATIONS_FILE, else LOCATIONS, else seoul)";

/** Adds `--locations <file>` to a command. */
export function withLocationsOption(command: Command): Command {
  return command.option("--locations <file>", LOCATIONS_OPTION_HELP);
}

/** The configured locations; a bad file or value is a one-line UsageError naming it. */
export function configuredLocations(file: string | undefined, env: Env = process.env): readonly Location[] {
  const path = file ?? (env.NALSSI_LOCATIONS_FILE?.trim() || undefined);
  try {
    if (path !== undefined) {
      const source = file !== undefined ? `--locations ${path}` : `NALSSI_LOCATIONS_FILE ${path}`;
      let text: string;
      try {
        text = readFileSync(path, "utf8");
      } catch (e) {
        throw new UsageError(`${source}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        throw new UsageError(`${source}: not valid JSON: ${(e as Error).message}`);
      }
      return locationsFromConfig(value, source);
    }
    return locationsFromText(env.LOCATIONS, "LOCATIONS");
  } catch (e) {
    if (e instanceof LocationError) throw new UsageError(e.message);
    throw e;
  }
}
