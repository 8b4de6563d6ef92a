// `nalssi promote <version>` and `nalssi rollback`: a person moves a location's production alias —
// to a registered version (no gate), or back to the version production had before (by the
// promotion history). Both are recorded with who and why. The model and feature spec files are
// read and their SHA-256 checked first, unless --skip-artifact-check (e.g. the artifacts are in R2
// and this machine only sees the remote database).
import type { Command } from "commander";
import { DEFAULT_LOCATION_ID } from "../../locations/locations.ts";
import { Registry } from "../../registry/registry.ts";
import { DATA_DIR_HELP, withDataFolder, parseLocation, parseReason, personName } from "../registry-options.ts";
import { describeEvent } from "./models.ts";

interface MoveOpts {
  location?: string;
  reason?: string;
  by?: string;
  skipArtifactCheck?: boolean;
  json?: boolean;
  dataDir: string;
}

async function promote(version: string, opts: MoveOpts): Promise<void> {
  const location = parseLocation(opts.location) ?? DEFAULT_LOCATION_ID;
  const reason = parseReason(opts.reason);
  const by = personName(opts.by);
  await withDataFolder(opts.dataDir, async ({ deps: { db, objects, logger } }) => {
    const registry = new Registry({ db, logger, ...(opts.skipArtifactCheck ? {} : { objects }) });
    const events = await registry.promote({ location, version, by, ...(reason ? { reason } : {}) });
    if (opts.json) console.log(JSON.stringify(events, null, 2));
    else console.log(events.map(describeEvent).join("\n"));
  });
}

async function rollback(opts: MoveOpts): Promise<void> {
  const location = parseLocation(opts.location) ?? DEFAULT_LOCATION_ID;
  const reason = parseReason(opts.reason);
  const by = personName(opts.by);
  await withDataFolder(opts.dataDir, async ({ deps: { db, objects, logger } }) => {
    const registry = new Registry({ db, logger, ...(opts.skipArtifactCheck ? {} : { objects }) });
    const event = await registry.rollback({ location, by, ...(reason ? { reason } : {}) });
    if (opts.json) console.log(JSON.stringify(event, null, 2));
    else console.log(describeEvent(event));
  });
}

function moveOptions(cmd: Command): Command {
  return cmd
    .option("--location <id>", "the location", DEFAULT_LOCATION_ID)
    .option("--reason <text>", "why (recorded in the promotion history)")
    .option("--by <name>", "who (recorded; default: $USER)")
    .option("--skip-artifact-check", "do not read the model files to check their SHA-256 first")
    .option("--json", "print the history entries written as JSON")
    .option("--data-dir <dir>", DATA_DIR_HELP, ".nalssi");
}

export function registerPromote(program: Command): void {
  moveOptions(
    program
      .command("promote")
      .description("make a registered version the location's production model (a manual decision, no gate)")
      .argument("<version>", "a version from `nalssi models`"),
  ).action((version: string, opts: MoveOpts) => promote(version, opts));
  moveOptions(program.command("rollback").description("move production back to the version it pointed to before (from the promotion history)")).action(
    (opts: MoveOpts) => rollback(opts),
  );
}
