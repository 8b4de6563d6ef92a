// The migration runner. Works over any libSQL client (file:, :memory:, HTTP/Turso, the dev server)
// because it only uses the Database port.
//
// - Applied migrations are recorded in `_migrations` (id, SHA-256 of the SQL, applied_at UTC).
// - Pending migrations are applied in order, each as ONE script sent with executeMultiple:
//     BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS _migrations ...; INSERT INTO _migrations <record>;
//     <the migration's SQL>; COMMIT;
//   so the record and the schema change commit together or not at all. If any statement fails, the
//   script stops inside the open transaction and the client rolls it back when it releases the
//   connection (file:) or closes the stream (HTTP): nothing half-applied, no record.
// - The record is inserted first, under the write lock (BEGIN IMMEDIATE). A second runner waits for
//   the lock, then its insert hits the primary key of the record the first one committed; it re-reads
//   `_migrations`, sees the migration done (with the same checksum) and moves on.
// - It refuses to run when an applied migration's SQL changed (checksum), when the database has a
//   migration this code does not know (newer schema), or when a migration was added out of order.
// - SQLITE_BUSY (the lock stayed taken past the connection's busy timeout) is retried with backoff
//   for up to `lockTimeoutMs`.
// Why a script and not client.transaction(): with @libsql/client's file: client, a BEGIN IMMEDIATE
// that fails with SQLITE_BUSY through a prepared statement stays "in progress" until garbage
// collection, and the pooled connection's next COMMIT then fails; executeMultiple (sqlite3_exec)
// does not have that problem, and over HTTP it is a single request.
import { silentLogger } from "../ports/logger.ts";
import type { Logger } from "../ports/logger.ts";
import { systemClock } from "../ports/clock.ts";
import type { Clock } from "../ports/clock.ts";
import type { Database } from "../ports/database.ts";
import { MIGRATION_ID_PATTERN, prepareMigrations, sqlSkeleton } from "./migration.ts";
import type { Migration, MigrationSource } from "./migration.ts";
import {
  MigrationChecksumMismatchError,
  MigrationFailedError,
  MigrationLockTimeoutError,
  MigrationOrderError,
  UnknownMigrationError,
} from "./migration-errors.ts";
import { MIGRATIONS } from "./migrations.generated.ts";
import { withRetry } from "../retry/policy.ts";
import { isBusyError } from "./sqlite-errors.ts";
import { toUtcSecondFloor } from "./utc-time.ts";

export const MIGRATIONS_TABLE = "_migrations";

const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS _migrations (
  id         TEXT PRIMARY KEY NOT NULL,
  checksum   TEXT NOT NULL CHECK (length(checksum) = 64 AND checksum NOT GLOB '*[^0-9a-f]*'),
  applied_at TEXT NOT NULL CHECK (applied_at IS strftime('%Y-%m-%dT%H:%M:%SZ', applied_at))
) STRICT`;

export interface AppliedMigration {
  id: string;
  checksum: string;
  appliedAt: string;
}

export interface MigrateOptions {
  /** Defaults to the migrations generated from migrations/*.sql. */
  migrations?: readonly MigrationSource[];
  clock?: Clock;
  logger?: Logger;
  /** How long to keep retrying while another writer holds the write lock. Default 60 s. */
  lockTimeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface MigrationReport {
  /** Applied by this call, in order. */
  applied: string[];
  /** Already recorded when this call finished and not applied by it (earlier runs or a concurrent runner). */
  alreadyApplied: string[];
}

export interface MigrationPlan {
  applied: AppliedMigration[];
  pending: string[];
}

async function readRecorded(db: Pick<Database, "execute">): Promise<AppliedMigration[]> {
  const rs = await db.execute(`SELECT id, checksum, applied_at FROM ${MIGRATIONS_TABLE} ORDER BY id`);
  return rs.rows.map((r) => ({ id: String(r.id), checksum: String(r.checksum), appliedAt: String(r.applied_at) }));
}

/** What the database has recorded; empty when it was never migrated. */
export async function readAppliedMigrations(db: Pick<Database, "execute">): Promise<AppliedMigration[]> {
  const t = await db.execute({ sql: "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", args: [MIGRATIONS_TABLE] });
  return t.rows.length === 0 ? [] : readRecorded(db);
}

/** Checks the recorded migrations against the code's and returns the pending ones, in order. */
function pendingMigrations(migrations: readonly Migration[], recorded: readonly AppliedMigration[]): Migration[] {
  const known = new Map(migrations.map((m) => [m.id, m]));
  const unknown = recorded.filter((r) => !known.has(r.id)).map((r) => r.id);
  if (unknown.length > 0) throw new UnknownMigrationError(unknown);
  for (const r of recorded) {
    const m = known.get(r.id)!;
    if (m.checksum !== r.checksum) throw new MigrationChecksumMismatchError(r.id, r.checksum, m.checksum);
  }
  const appliedIds = new Set(recorded.map((r) => r.id));
  const pending = migrations.filter((m) => !appliedIds.has(m.id));
  const lastApplied = migrations.findLast((m) => appliedIds.has(m.id));
  const firstPending = pending[0];
  if (firstPending && lastApplied && migrations.indexOf(firstPending) < migrations.indexOf(lastApplied)) {
    throw new MigrationOrderError(firstPending.id, lastApplied.id);
  }
  return pending;
}

/** Verifies the database against the code without changing it. Throws the runner's errors. */
export async function planMigrations(db: Pick<Database, "execute">, options: Pick<MigrateOptions, "migrations"> = {}): Promise<MigrationPlan> {
  const migrations = await prepareMigrations(options.migrations ?? MIGRATIONS);
  const applied = await readAppliedMigrations(db);
  return { applied, pending: pendingMigrations(migrations, applied).map((m) => m.id) };
}

/** The write lock is taken (and the error is not already this runner's verdict, whose message may quote it). */
const isLockBusy = (e: unknown): boolean => !(e instanceof MigrationFailedError) && isBusyError(e);

/** The migration's SQL and its record as one transaction script (values are validated, not user input). */
function applyScript(m: Migration, appliedAt: string): string {
  if (!MIGRATION_ID_PATTERN.test(m.id) || !/^[0-9a-f]{64}$/.test(m.checksum) || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(appliedAt)) {
    throw new Error(`internal: refusing to inline unexpected migration values for ${JSON.stringify(m.id)}`);
  }
  const body = sqlSkeleton(m.sql).text.trimEnd().endsWith(";") ? m.sql : `${m.sql}\n;`;
  return [
    "BEGIN IMMEDIATE;",
    `${CREATE_MIGRATIONS_TABLE};`,
    `INSERT INTO ${MIGRATIONS_TABLE} (id, checksum, applied_at) VALUES ('${m.id}', '${m.checksum}', '${appliedAt}');`,
    body,
    "COMMIT;",
  ].join("\n");
}

/** Applies every pending migration. See the file comment for the guarantees. */
export async function migrate(db: Database, options: MigrateOptions = {}): Promise<MigrationReport> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const lockTimeoutMs = options.lockTimeoutMs ?? 60_000;
  const migrations = await prepareMigrations(options.migrations ?? MIGRATIONS);

  const applied: string[] = [];
  let recorded = await readAppliedMigrations(db);
  // When the first busy attempt began; kept across migrations a concurrent runner applied meanwhile.
  let waitStarted: number | undefined;
  for (;;) {
    const next = pendingMigrations(migrations, recorded)[0];
    if (next === undefined) break;
    const t0 = Date.now();
    const waitedBefore = waitStarted === undefined ? 0 : t0 - waitStarted;
    let outcome: "applied" | "concurrent";
    try {
      outcome = await withRetry(
        async () => {
          const attemptStart = Date.now();
          try {
            await db.executeMultiple(applyScript(next, toUtcSecondFloor(clock.now())));
            return "applied";
          } catch (e) {
            // Whatever failed, the transaction was rolled back. Did a concurrent runner apply it meanwhile?
            try {
              recorded = await readAppliedMigrations(db);
            } catch (readError) {
              logger.warn("could not read _migrations after a failed migration", {
                id: next.id,
                error: readError instanceof Error ? readError.message : String(readError),
              });
              throw new MigrationFailedError(next.id, e, false);
            }
            if (recorded.some((r) => r.id === next.id)) {
              // (the next pendingMigrations call checks that its checksum is the one this code has)
              logger.info("migration was applied by a concurrent runner", { id: next.id });
              return "concurrent";
            }
            if (isLockBusy(e)) {
              waitStarted ??= attemptStart;
              throw e;
            }
            throw new MigrationFailedError(next.id, e);
          }
        },
        // Backoff 25 ms doubling to 1 s, no jitter, for as long as the lock timeout allows.
        {
          attempts: Number.POSITIVE_INFINITY,
          baseDelayMs: 25,
          maxDelayMs: 1000,
          jitter: "none",
          retryable: isLockBusy,
          maxElapsedMs: Math.max(0, lockTimeoutMs - waitedBefore),
        },
        {
          sleep: options.sleep,
          onRetry: ({ elapsedMs }) =>
            logger.debug("database is busy, waiting for the write lock to migrate", { id: next.id, waitedMs: waitedBefore + elapsedMs }),
        },
      );
    } catch (e) {
      if (isLockBusy(e)) throw new MigrationLockTimeoutError(Date.now() - (waitStarted ?? t0), e);
      throw e;
    }
    if (outcome === "concurrent") continue;
    recorded = await readAppliedMigrations(db);
    const mine = recorded.find((r) => r.id === next.id);
    if (mine === undefined || mine.checksum !== next.checksum) {
      throw new MigrationFailedError(next.id, new Error("the script ran but its record is missing afterwards (the transaction did not commit)"));
    }
    applied.push(next.id);
    waitStarted = undefined;
    logger.info("migration applied", { id: next.id, ms: Date.now() - t0 });
  }
  const mine = new Set(applied);
  return { applied, alreadyApplied: recorded.map((r) => r.id).filter((id) => !mine.has(id)) };
}
