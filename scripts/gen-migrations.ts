// Regenerates src/db/migrations.generated.ts from migrations/*.sql.
//   node scripts/gen-migrations.ts          write the module
//   node scripts/gen-migrations.ts --check  exit 1 if the committed module is stale (CI)
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { GENERATED_MODULE_PATH, migrationSourcesFromFiles, renderMigrationsModule } from "../src/db/migrations-module.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

export async function readMigrationFiles(dir = join(root, "migrations")): Promise<{ name: string; text: string }[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith(".sql"));
  return Promise.all(names.map(async (name) => ({ name, text: await readFile(join(dir, name), "utf8") })));
}

export async function renderFromDisk(): Promise<string> {
  return renderMigrationsModule(migrationSourcesFromFiles(await readMigrationFiles()));
}

async function main(args: string[]): Promise<number> {
  const target = join(root, GENERATED_MODULE_PATH);
  const fresh = await renderFromDisk();
  if (args.includes("--check")) {
    const current = await readFile(target, "utf8").catch(() => "");
    if (current !== fresh) {
      console.error(`${GENERATED_MODULE_PATH} is out of date: run node scripts/gen-migrations.ts`);
      return 1;
    }
    console.log(`${GENERATED_MODULE_PATH} is up to date`);
    return 0;
  }
  await writeFile(target, fresh);
  console.log(`wrote ${GENERATED_MODULE_PATH}`);
  return 0;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
}
