// The `nalssi` command line (Node and Deno). Exit codes: 0 ok, 1 failure, 2 usage.
import { pathToFileURL } from "node:url";
import { Command, CommanderError, type Option } from "commander";
import { registerBackfill } from "./commands/backfill.ts";
import { registerBacktest } from "./commands/backtest.ts";
import { registerDemo } from "./commands/demo.ts";
import { registerImport } from "./commands/import.ts";
import { registerIngest } from "./commands/ingest.ts";
import { registerLightGBM } from "./commands/lightgbm.ts";
import { registerLocations } from "./commands/locations.ts";
import { registerMigrate } from "./commands/migrate.ts";
import { registerModels } from "./commands/models.ts";
import { registerPromote } from "./commands/promote.ts";
import { registerRuns } from "./commands/runs.ts";
import { registerServe } from "./commands/serve.ts";
import { registerStart } from "./commands/start.ts";
import { registerTrain } from "./commands/train.ts";
import { EXIT_FAILURE, EXIT_USAGE, UsageError } from "./errors.ts";

const EXIT_HELP = "\nExit codes: 0 ok, 1 failure, 2 usage (bad arguments or environment).";
/** Their help already lists their exit codes (src/cli/commands/*.ts). */
const COMMANDS_WITH_OWN_EXIT_HELP = new Set(["ingest", "backfill", "import", "start", "help"]);

/**
 * Commander checks required options before unknown ones, so a typo (`--form`) was reported as the
 * missing `--from`. Required options are checked here instead, in a preAction hook, which commander
 * runs after it has refused unknown options (with its "Did you mean --from?").
 */
function reportUnknownOptionsFirst(program: Command): void {
  const required = new Map<Command, Option[]>();
  const visit = (c: Command) => {
    const opts = c.options.filter((o) => o.mandatory);
    for (const o of opts) o.mandatory = false;
    if (opts.length) required.set(c, opts);
    c.commands.forEach(visit);
  };
  visit(program);
  program.hook("preAction", (_program, action) => {
    for (const o of required.get(action) ?? []) {
      if (action.getOptionValue(o.attributeName()) === undefined)
        action.error(`error: required option '${o.flags}' not specified`, { code: "commander.missingMandatoryOptionValue" });
    }
  });
}

export function buildProgram(): Command {
  const program = new Command("nalssi")
    .description("nalssi (날씨): 24-hour air-temperature forecasts from KMA open data, at the edge and offline")
    .version("0.1.0")
    .showSuggestionAfterError()
    .exitOverride();
  registerStart(program);
  registerDemo(program);
  registerLightGBM(program);
  registerTrain(program);
  registerBacktest(program);
  registerRuns(program);
  registerModels(program);
  registerPromote(program);
  registerIngest(program);
  registerBackfill(program);
  registerImport(program);
  registerServe(program);
  registerLocations(program);
  registerMigrate(program);
  program.addHelpText(
    "after",
    "\nGetting started (offline, no account): npx nalssi start, then open http://127.0.0.1:8787/dashboard\nEvery command: --help. Exit codes: 0 ok, 1 failure, 2 usage (bad arguments or environment).",
  );
  reportUnknownOptionsFirst(program);
  for (const c of program.commands) {
    c.exitOverride();
    for (const sub of c.commands) sub.exitOverride();
    // Commands that do not spell out their exit codes get the common ones.
    if (!COMMANDS_WITH_OWN_EXIT_HELP.has(c.name())) for (const x of [c, ...c.commands]) x.addHelpText("after", EXIT_HELP);
  }
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : EXIT_USAGE; // commander printed the message
    const msg = (e as Error).message.split("\n")[0];
    process.stderr.write(`nalssi: ${e instanceof UsageError ? "usage: " : "error: "}${msg}\n`);
    return e instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
  }
}

// Run when executed directly (node src/cli/main.ts, deno run src/cli/main.ts); bin/nalssi.js calls runCli itself.
const isMain = (import.meta as { main?: boolean }).main ?? (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href);
if (isMain) process.exitCode = await runCli(process.argv.slice(2));
