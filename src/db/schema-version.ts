// Is the database's schema the one this code needs? Migrations are applied by a deploy or startup
// step (`nalssi migrate`, `npm run db:migrate`; `nalssi serve`/`start` and the data commands apply
// them on open), never by a request, a cron run or a Workflow. The Worker only checks: one read of
// `_migrations` (ids only), compared with the migrations this code carries.
import type { Database } from "../ports/database.ts";
import { readAppliedMigrations } from "./migrate.ts";
import { MigrationError } from "./migration-errors.ts";
import { MIGRATIONS } from "./migrations.generated.ts";

export interface SchemaStatus {
  /** Migrations this code has that the database has not applied: the code must not run on it. */
  pending: string[];
  /** Migrations the database has that this code does not know (a newer deploy migrated it; tolerated during a rollout). */
  unknown: string[];
}

export async function schemaStatus(db: Pick<Database, "execute">, migrations: readonly { id: string }[] = MIGRATIONS): Promise<SchemaStatus> {
  const applied = new Set((await readAppliedMigrations(db)).map((m) => m.id));
  const known = new Set(migrations.map((m) => m.id));
  return { pending: migrations.map((m) => m.id).filter((id) => !applied.has(id)), unknown: [...applied].filter((id) => !known.has(id)) };
}

/** The database lacks migrations this code needs: run them (deploy step), then retry. */
export class SchemaBehindError extends MigrationError {
  override name = "SchemaBehindError";
  readonly pending: readonly string[];
  constructor(pending: readonly string[]) {
    super(
      `the database schema is behind this code (pending migration${pending.length > 1 ? "s" : ""} ${pending.join(", ")}): run migrations first (\`npm run db:migrate\` with LIBSQL_URL, or \`nalssi migrate\`)`,
    );
    this.pending = pending;
  }
}

/** Throws SchemaBehindError when a migration is pending. */
export async function assertSchemaCurrent(db: Pick<Database, "execute">): Promise<void> {
  const { pending } = await schemaStatus(db);
  if (pending.length > 0) throw new SchemaBehindError(pending);
}
