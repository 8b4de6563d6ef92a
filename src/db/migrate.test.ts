// The migration runner against real libSQL: an in-memory database and the embedded file the Node/Deno
// adapter opens (WAL, busy timeout). Runs in Node (vitest) and Deno.
import { afterEach, describe, expect, it } from "vitest";
import { createClient } from "@libsql/client";
import { fixedClock } from "../ports/clock.ts";
import { memoryLogger } from "../ports/logger.ts";
import type { Database, InStatement } from "../ports/database.ts";
import { openNodeDatabase, removeEmbeddedDatabase } from "../adapters/node/database.ts";
import { migrate, planMigrations, readAppliedMigrations } from "./migrate.ts";
import { sha256Hex } from "./migration.ts";
import type { MigrationSource } from "./migration.ts";
import {
  InvalidMigrationError,
  MigrationChecksumMismatchError,
  MigrationFailedError,
  MigrationLockTimeoutError,
  MigrationOrderError,
  UnknownMigrationError,
} from "./migration-errors.ts";
import { MIGRATIONS } from "./migrations.generated.ts";

const FIRST = MIGRATIONS[0]!;
const ALL = MIGRATIONS.map((m) => m.id);
const clock = fixedClock("2025-05-29T14:03:12.345Z");

const extra = (id: string, sql: string): MigrationSource => ({ id, sql });
// Test migrations sort after every real one (9xxx), whatever migrations the code ships.
const M2 = extra(
  "9001_model_runs",
  "CREATE TABLE model_runs (id INTEGER PRIMARY KEY, trained_at TEXT NOT NULL) STRICT;\nCREATE INDEX model_runs_by_time ON model_runs (trained_at);",
);
const M3 = extra("9002_model_runs_metric", "ALTER TABLE model_runs ADD COLUMN mae REAL;");

async function schema(db: Database): Promise<string[]> {
  const rs = await db.execute("SELECT type || ' ' || name || ': ' || coalesce(sql, '') AS s FROM sqlite_master ORDER BY type, name");
  return rs.rows.map((r) => String(r.s));
}

async function tableNames(db: Database): Promise<string[]> {
  const rs = await db.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name");
  return rs.rows.map((r) => String(r.name));
}

interface Backend {
  name: string;
  open(): Promise<Database>;
  /** A second, independent client on the same database, when the backend can have one. */
  openAnother?(): Promise<Database>;
  cleanup(): Promise<void>;
}

function memoryBackend(): Backend {
  return {
    name: ":memory:",
    open: async () => createClient({ url: ":memory:" }),
    cleanup: async () => {},
  };
}

function fileBackend(): Backend {
  const dataDir = `/tmp/nalssi-migrate-test-${crypto.randomUUID()}`;
  const opened: Database[] = [];
  const open = async () => {
    // A short busy timeout: two clients in one process block each other's event loop while waiting.
    const { db } = await openNodeDatabase({ dataDir, env: {}, busyTimeoutMs: 100 });
    opened.push(db);
    return db;
  };
  return {
    name: "file (node adapter)",
    open,
    openAnother: open,
    cleanup: async () => {
      for (const db of opened) db.close();
      await removeEmbeddedDatabase(dataDir);
    },
  };
}

for (const makeBackend of [memoryBackend, fileBackend]) {
  describe(`migrate on ${makeBackend().name}`, () => {
    let backend: Backend | undefined;
    const open = async () => {
      backend ??= makeBackend();
      return backend.open();
    };
    afterEach(async () => {
      await backend?.cleanup();
      backend = undefined;
    });

    it("applies the migrations to a fresh database and records id, checksum and applied_at", async () => {
      const db = await open();
      const logger = memoryLogger();
      const report = await migrate(db, { clock, logger });
      expect(report).toEqual({ applied: ALL, alreadyApplied: [] });
      expect(await tableNames(db)).toEqual(
        expect.arrayContaining(["_migrations", "forecasts", "ingest_runs", "observation_sources", "observations", "observations_best"]),
      );
      const applied = await readAppliedMigrations(db);
      expect(applied.map((m) => m.id)).toEqual(ALL);
      expect(applied[0]).toEqual({ id: FIRST.id, checksum: await sha256Hex(FIRST.sql), appliedAt: "2025-05-29T14:03:12Z" });
      expect(logger.records.map((r) => [r.level, r.message, r.fields?.id])).toEqual(ALL.map((id) => ["info", "migration applied", id]));
    });

    it("does nothing when run again", async () => {
      const db = await open();
      await migrate(db, { clock });
      const before = await schema(db);
      const recorded = await readAppliedMigrations(db);
      const later = fixedClock("2025-06-01T00:00:00Z");
      expect(await migrate(db, { clock: later })).toEqual({ applied: [], alreadyApplied: ALL });
      expect(await schema(db)).toEqual(before);
      expect(await readAppliedMigrations(db)).toEqual(recorded);
    });

    it("applies only the new migrations, in order", async () => {
      const db = await open();
      await migrate(db, { clock });
      const report = await migrate(db, { clock, migrations: [...MIGRATIONS, M2, M3] });
      expect(report).toEqual({ applied: [M2.id, M3.id], alreadyApplied: ALL });
      const cols = await db.execute("SELECT name FROM pragma_table_info('model_runs') ORDER BY cid");
      expect(cols.rows.map((r) => r.name)).toEqual(["id", "trained_at", "mae"]);
      expect(await planMigrations(db, { migrations: [...MIGRATIONS, M2, M3] })).toMatchObject({ pending: [] });
    });

    it("refuses to run when an applied migration's SQL was edited (checksum mismatch)", async () => {
      const db = await open();
      await migrate(db, { clock, migrations: [...MIGRATIONS, M2] });
      const before = await schema(db);
      const edited = [...MIGRATIONS, extra(M2.id, M2.sql + "\n-- harmless-looking edit\n"), M3];
      const err = await migrate(db, { clock, migrations: edited }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MigrationChecksumMismatchError);
      expect((err as MigrationChecksumMismatchError).migrationId).toBe(M2.id);
      expect((err as Error).message).toContain("must never be edited");
      expect(await schema(db)).toEqual(before); // M3 was not applied either
      await expect(planMigrations(db, { migrations: edited })).rejects.toBeInstanceOf(MigrationChecksumMismatchError);
    });

    it("refuses to run when a recorded checksum was tampered with", async () => {
      const db = await open();
      await migrate(db, { clock });
      await db.execute({ sql: "UPDATE _migrations SET checksum = ? WHERE id = ?", args: ["0".repeat(64), FIRST.id] });
      await expect(migrate(db, { clock })).rejects.toBeInstanceOf(MigrationChecksumMismatchError);
    });

    it("refuses to run against a database migrated by newer code (unknown migration)", async () => {
      const db = await open();
      await migrate(db, { clock, migrations: [...MIGRATIONS, M2] });
      const err = await migrate(db, { clock, migrations: MIGRATIONS }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnknownMigrationError);
      expect((err as UnknownMigrationError).migrationIds).toEqual([M2.id]);
      expect((err as Error).message).toContain("newer than this code");
    });

    it("refuses a migration added before one that is already applied", async () => {
      const db = await open();
      const independent = extra("9003_other_table", "CREATE TABLE other_table (x INTEGER) STRICT;");
      await migrate(db, { clock, migrations: [...MIGRATIONS, independent] });
      const err = await migrate(db, { clock, migrations: [...MIGRATIONS, M2, independent] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MigrationOrderError);
      expect((err as Error).message).toContain(`${M2.id} is not applied but the later migration ${independent.id} is`);
    });

    it("rolls a failing migration back completely and records nothing for it", async () => {
      const db = await open();
      await migrate(db, { clock });
      const before = await schema(db);
      const broken = extra(
        "9001_broken",
        "CREATE TABLE half_done (x INTEGER) STRICT;\nINSERT INTO half_done VALUES (1);\nINSERT INTO observation_sources (source, precedence, description) VALUES ('x', 9, 'y');\nINSERT INTO no_such_table VALUES (1);",
      );
      const err = await migrate(db, { clock, migrations: [...MIGRATIONS, broken] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MigrationFailedError);
      expect((err as MigrationFailedError).migrationId).toBe("9001_broken");
      expect((err as Error).message).toMatch(/9001_broken failed and was rolled back: .*no such table: no_such_table/);
      expect(await schema(db)).toEqual(before);
      const sources = await db.execute("SELECT count(*) AS n FROM observation_sources WHERE source = 'x'");
      expect(sources.rows[0]?.n).toBe(0);
      expect((await readAppliedMigrations(db)).map((m) => m.id)).toEqual(ALL);
      // The fixed migration then applies normally.
      expect((await migrate(db, { clock, migrations: [...MIGRATIONS, M2] })).applied).toEqual([M2.id]);
    });

    it("keeps the migrations before a failing one (each migration is its own transaction)", async () => {
      const db = await open();
      const broken = extra("9003_broken", "ALTER TABLE model_runs ADD COLUMN mae REAL;\nALTER TABLE model_runs ADD COLUMN mae REAL;");
      await expect(migrate(db, { clock, migrations: [...MIGRATIONS, M2, broken] })).rejects.toThrow(/duplicate column name: mae/);
      expect((await readAppliedMigrations(db)).map((m) => m.id)).toEqual([...ALL, M2.id]);
      const cols = await db.execute("SELECT name FROM pragma_table_info('model_runs') ORDER BY cid");
      expect(cols.rows.map((r) => r.name)).toEqual(["id", "trained_at"]);
    });

    it("says the outcome is unknown when the database cannot be asked after a failure", async () => {
      const db = await open();
      let down = false;
      const flaky: Database = {
        execute: ((stmt: InStatement) => (down ? Promise.reject(new Error("connection reset")) : db.execute(stmt))) as Database["execute"],
        batch: db.batch.bind(db),
        transaction: db.transaction.bind(db),
        close: db.close.bind(db),
        executeMultiple: async () => {
          down = true;
          throw new Error("connection reset");
        },
      };
      const logger = memoryLogger();
      const err = (await migrate(flaky, { clock, logger }).catch((e: unknown) => e)) as MigrationFailedError;
      expect(err).toBeInstanceOf(MigrationFailedError);
      expect(err.rolledBack).toBe(false);
      expect(err.message).toMatch(/outcome is unknown .*connection reset; run the migrations again/);
      expect(logger.records.map((r) => r.level)).toContain("warn");
    });

    it("does not retry when the database cannot be asked after a busy failure (the verdict quotes the busy message)", async () => {
      const db = await open();
      let down = false;
      let scripts = 0;
      const flaky: Database = {
        execute: ((stmt: InStatement) => (down ? Promise.reject(new Error("SQLITE_BUSY: database is locked")) : db.execute(stmt))) as Database["execute"],
        batch: db.batch.bind(db),
        transaction: db.transaction.bind(db),
        close: db.close.bind(db),
        executeMultiple: async () => {
          scripts++;
          down = true;
          throw new Error("SQLITE_BUSY: database is locked");
        },
      };
      const err = (await migrate(flaky, { clock, lockTimeoutMs: 1000, sleep: async () => {} }).catch((e: unknown) => e)) as MigrationFailedError;
      expect(err).toBeInstanceOf(MigrationFailedError);
      expect(err.rolledBack).toBe(false);
      expect(scripts).toBe(1);
    });

    it("rejects a malformed migration list before touching the database", async () => {
      const db = await open();
      for (const bad of [
        [extra("1_x", "SELECT 1;")],
        [extra("0002_b", "SELECT 1;"), extra("0001_a", "SELECT 1;")],
        [extra("0001_a", "SELECT 1;"), extra("0001_b", "SELECT 1;")],
        [extra("0001_a", "CREATE TABLE a (x);\nCOMMIT;\nCREATE TABLE b (x);")],
        [extra("0001_a", "  \n")],
      ]) {
        await expect(migrate(db, { clock, migrations: bad })).rejects.toBeInstanceOf(InvalidMigrationError);
      }
      expect(await tableNames(db)).toEqual([]);
    });

    it("waits for another writer's transaction, then sees the migration that writer applied as done", async () => {
      if (!backend) backend = makeBackend();
      if (!backend.openAnother) return; // an in-memory database cannot be shared between clients
      const a = await open();
      const b = await backend.openAnother();
      // Writer A is in the middle of applying 0001 (holding the write lock) when runner B starts.
      await migrate(a, { clock, migrations: [] }); // nothing to apply; does not even create _migrations
      const holder = await a.transaction("write");
      await holder.execute("CREATE TABLE IF NOT EXISTS _migrations (id TEXT PRIMARY KEY NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT");
      await holder.executeMultiple(FIRST.sql);
      await holder.execute({ sql: "INSERT INTO _migrations VALUES (?, ?, ?)", args: [FIRST.id, await sha256Hex(FIRST.sql), "2025-05-29T14:00:00Z"] });
      const logger = memoryLogger();
      let waits = 0;
      // Commit only once the runner has read the (uncommitted, so empty) state and sent its script.
      let scriptSent!: () => void;
      const sent = new Promise<void>((resolve) => (scriptSent = resolve));
      const spied: Database = {
        execute: b.execute.bind(b),
        batch: b.batch.bind(b),
        transaction: b.transaction.bind(b),
        close: b.close.bind(b),
        executeMultiple: (sql: string) => {
          scriptSent();
          return b.executeMultiple(sql);
        },
      };
      const running = migrate(spied, {
        clock,
        logger,
        sleep: async (ms) => {
          waits++;
          await new Promise((r) => setTimeout(r, ms));
        },
      });
      await sent;
      await new Promise((r) => setTimeout(r, 250));
      await holder.commit();
      // The holder applied 0001; the runner applies whatever comes after it.
      expect(await running).toEqual({ applied: ALL.slice(1), alreadyApplied: [FIRST.id] });
      expect(waits).toBeGreaterThan(0);
      expect(logger.records.some((r) => r.message.startsWith("database is busy"))).toBe(true);
    });

    it("gives up with MigrationLockTimeoutError when the write lock stays taken", async () => {
      if (!backend) backend = makeBackend();
      if (!backend.openAnother) return;
      const a = await open();
      const b = await backend.openAnother();
      const holder = await a.transaction("write");
      await holder.execute("CREATE TABLE lock_holder (x INTEGER)");
      try {
        const err = await migrate(b, { clock, lockTimeoutMs: 300 }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(MigrationLockTimeoutError);
        expect((err as Error).message).toMatch(/write lock to migrate within \d+ ms/);
      } finally {
        await holder.rollback();
      }
      expect((await migrate(b, { clock })).applied).toEqual(ALL);
    });
  });
}
