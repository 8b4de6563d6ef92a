// `nalssi migrate [--data-dir]`: applies the pending migrations to the database (the embedded file in
// the data folder, or LIBSQL_URL + LIBSQL_AUTH_TOKEN: Turso, the Worker's database). The deploy-time
// step for the Worker (`npm run db:migrate`); `nalssi serve`, `start` and the data commands also
// apply them when they open the database. The Worker itself never migrates: it answers 503 while
// the schema is behind.
import process from "node:process";
import type { Command } from "commander";
import { openNodeDatabase } from "../../adapters/node/database.ts";
import { migrate } from "../../db/migrate.ts";
import { textLogger } from "../../logging/line-loggers.ts";
import { settingsRedactor } from "../../compose.ts";
import { DEFAULT_DATA_DIR } from "../job-setup.ts";
import { DATA_DIR_HELP } from "../registry-options.ts";

interface MigrateOpts {
  dataDir: string;
  json?: boolean;
}

async function run(opts: MigrateOpts): Promise<void> {
  const redact = settingsRedactor(process.env);
  const logger = textLogger((line) => void process.stderr.write(`nalssi migrate: ${line}\n`), { minLevel: "warn", redact });
  const { db, location } = await openNodeDatabase({ dataDir: opts.dataDir });
  try {
    const report = await migrate(db, { logger });
    if (opts.json) console.log(JSON.stringify({ database: location, ...report }));
    else
      console.log(
        report.applied.length
          ? `${location}: applied ${report.applied.join(", ")}`
          : `${location}: up to date (${report.alreadyApplied.length} migrations applied before)`,
      );
  } finally {
    db.close();
  }
}

export function registerMigrate(program: Command): void {
  program
    .command("migrate")
    .description("apply the pending database migrations (the data folder's file, or LIBSQL_URL: the Worker's database)")
    .option("--data-dir <dir>", DATA_DIR_HELP, DEFAULT_DATA_DIR)
    .option("--json", "print the result as JSON")
    .action((opts: MigrateOpts) => run(opts));
}
