// The migration runner over HTTP (Hrana v2) through tools/hrana-dev-server, with both clients the
// product uses: @libsql/client/web (the Workers adapter) and @libsql/client's node entry with a
// LIBSQL_URL (the Node adapter's remote mode). Plus concurrent runners in separate processes, over
// HTTP and on the embedded file.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { openWorkersDatabase } from "../adapters/workers/database.ts";
import { openNodeDatabase } from "../adapters/node/database.ts";
import { fixedClock } from "../ports/clock.ts";
import { memoryLogger } from "../ports/logger.ts";
import type { Database } from "../ports/database.ts";
import { startHranaDevServer } from "../../tools/hrana-dev-server/server.ts";
import type { HranaDevServer } from "../../tools/hrana-dev-server/server.ts";
import { migrate, readAppliedMigrations } from "./migrate.ts";
import { sha256Hex } from "./migration.ts";
import type { MigrationSource } from "./migration.ts";
import { MigrationChecksumMismatchError, MigrationFailedError, UnknownMigrationError } from "./migration-errors.ts";
import { MIGRATIONS } from "./migrations.generated.ts";

const run = promisify(execFile);
const TOKEN = "migrate-http-token-4b1e";
const FIRST = MIGRATIONS[0]!;
const ALL = MIGRATIONS.map((m) => m.id);
const clock = fixedClock("2025-05-29T14:00:00Z");
// Test migrations sort after every real one (9xxx).
const M2: MigrationSource = { id: "9001_model_runs", sql: "CREATE TABLE model_runs (id INTEGER PRIMARY KEY, trained_at TEXT NOT NULL) STRICT;" };

let dir: string;
let server: HranaDevServer;
const dbs: Database[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "nalssi-migrate-http-"));
  server = await startHranaDevServer({ dbPath: join(dir, "served.db"), port: 0, token: TOKEN });
});
afterEach(async () => {
  for (const db of dbs.splice(0)) db.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const clients: [string, () => Promise<Database>][] = [
  ["@libsql/client/web (Workers adapter)", async () => openWorkersDatabase({ LIBSQL_URL: server.url, LIBSQL_AUTH_TOKEN: TOKEN }).db],
  ["@libsql/client with LIBSQL_URL (Node adapter)", async () => (await openNodeDatabase({ env: { LIBSQL_URL: server.url, LIBSQL_AUTH_TOKEN: TOKEN } })).db],
];

for (const [name, connect] of clients) {
  describe(`migrate over HTTP with ${name}`, () => {
    const open = async () => {
      const db = await connect();
      dbs.push(db);
      return db;
    };

    it("applies a fresh database, then does nothing on a re-run", async () => {
      const db = await open();
      expect(await migrate(db, { clock })).toEqual({ applied: ALL, alreadyApplied: [] });
      const recorded = await readAppliedMigrations(db);
      expect(recorded.map((m) => m.id)).toEqual(ALL);
      expect(recorded[0]).toEqual({ id: FIRST.id, checksum: await sha256Hex(FIRST.sql), appliedAt: "2025-05-29T14:00:00Z" });
      const views = await db.execute("SELECT name FROM sqlite_master WHERE type = 'view'");
      expect(views.rows.map((r) => r.name)).toContain("observations_best");
      expect(await migrate(db, { clock: fixedClock("2026-01-01T00:00:00Z") })).toEqual({ applied: [], alreadyApplied: ALL });
      expect((await readAppliedMigrations(db))[0]!.appliedAt).toBe("2025-05-29T14:00:00Z");
    });

    it("refuses an edited migration and a newer schema", async () => {
      const db = await open();
      await migrate(db, { clock, migrations: [...MIGRATIONS, M2] });
      await expect(migrate(db, { clock, migrations: [...MIGRATIONS, { id: M2.id, sql: M2.sql.replace("STRICT", "") }] })).rejects.toBeInstanceOf(
        MigrationChecksumMismatchError,
      );
      await expect(migrate(db, { clock, migrations: MIGRATIONS })).rejects.toBeInstanceOf(UnknownMigrationError);
    });

    it("rolls a failing migration back on the server: no table, no record", async () => {
      const db = await open();
      await migrate(db, { clock });
      const broken = {
        id: "9001_broken",
        sql: "CREATE TABLE half (x INTEGER) STRICT;\nINSERT INTO half VALUES (1);\nINSERT INTO half VALUES ('text in a strict integer column');",
      };
      const err = await migrate(db, { clock, migrations: [...MIGRATIONS, broken] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MigrationFailedError);
      expect((err as Error).message).toMatch(/cannot store TEXT value in INTEGER column half.x/);
      const half = await db.execute("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half'");
      expect(half.rows[0]!.n).toBe(0);
      expect((await readAppliedMigrations(db)).map((m) => m.id)).toEqual(ALL);
    });

    it("makes a runner wait while another stream holds the write lock, then see the work done", async () => {
      const holderDb = await open();
      const runnerDb = await open();
      const holder = await holderDb.transaction("write");
      await holder.execute("CREATE TABLE _migrations (id TEXT PRIMARY KEY NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT");
      await holder.executeMultiple(FIRST.sql);
      await holder.execute({ sql: "INSERT INTO _migrations VALUES (?, ?, ?)", args: [FIRST.id, await sha256Hex(FIRST.sql), "2025-05-29T13:00:00Z"] });
      const logger = memoryLogger();
      // Commit only once the runner has read the (uncommitted, so empty) state and sent its script.
      let scriptSent!: () => void;
      const sent = new Promise<void>((resolve) => (scriptSent = resolve));
      const spied: Database = {
        execute: runnerDb.execute.bind(runnerDb),
        batch: runnerDb.batch.bind(runnerDb),
        transaction: runnerDb.transaction.bind(runnerDb),
        close: runnerDb.close.bind(runnerDb),
        executeMultiple: (sql: string) => {
          scriptSent();
          return runnerDb.executeMultiple(sql);
        },
      };
      const running = migrate(spied, { clock, logger });
      await sent;
      await new Promise((r) => setTimeout(r, 300)); // its BEGIN IMMEDIATE is now waiting on the server
      await holder.commit();
      expect(await running).toEqual({ applied: ALL.slice(1), alreadyApplied: [FIRST.id] });
      expect(logger.records.map((r) => r.message)).toContain("migration was applied by a concurrent runner");
    });

    it("lets several runners race: every migration is applied exactly once", async () => {
      const runners = await Promise.all([open(), open(), open(), open()]);
      const migrations = [...MIGRATIONS, M2, { id: "9002_more", sql: "ALTER TABLE model_runs ADD COLUMN mae REAL;" }];
      const reports = await Promise.all(runners.map((db) => migrate(db, { clock, migrations })));
      const applied = reports.flatMap((r) => r.applied).toSorted();
      expect(applied).toEqual(migrations.map((m) => m.id));
      for (const r of reports) expect([...r.applied, ...r.alreadyApplied].toSorted()).toEqual(applied);
      expect((await readAppliedMigrations(runners[0]!)).map((m) => m.id)).toEqual(migrations.map((m) => m.id));
    });
  });
}

describe("migrate from several processes at once", () => {
  const fixture = fileURLToPath(new URL("./fixtures/migrate-once.ts", import.meta.url));
  const scratch: string[] = [];
  afterAll(async () => {
    await Promise.all(scratch.map((d) => rm(d, { recursive: true, force: true })));
  });

  async function race(env: Record<string, string>, processes: number): Promise<{ report: { applied: string[]; alreadyApplied: string[] }; log: string[] }[]> {
    const startAt = String(Date.now() + 1500); // after every process has loaded
    const base = { ...process.env, LIBSQL_URL: "", LIBSQL_AUTH_TOKEN: "", NALSSI_TEST_START_AT: startAt, NALSSI_TEST_EXTRA_MIGRATIONS: "1", ...env };
    const outs = await Promise.all(Array.from({ length: processes }, () => run(process.execPath, [fixture], { env: base, timeout: 60_000 })));
    return outs.map((o) => JSON.parse(o.stdout.trim().split("\n").pop()!));
  }

  const WITH_TEST = [...ALL, "9001_test_a", "9002_test_b"];

  it("on the embedded file (WAL, busy timeout): each migration once", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "nalssi-migrate-procs-"));
    scratch.push(dataDir);
    const results = await race({ NALSSI_TEST_DATA_DIR: dataDir }, 4);
    expect(results.flatMap((r) => r.report.applied).toSorted()).toEqual(WITH_TEST);
    const { db } = await openNodeDatabase({ dataDir, env: {} });
    try {
      expect((await readAppliedMigrations(db)).map((m) => m.id)).toEqual(WITH_TEST);
      expect((await db.execute("SELECT x FROM test_b")).rows.map((r) => r.x)).toEqual([2]);
    } finally {
      db.close();
    }
  });

  it("over HTTP through the dev server: each migration once", async () => {
    const results = await race({ LIBSQL_URL: server.url, LIBSQL_AUTH_TOKEN: TOKEN }, 4);
    expect(results.flatMap((r) => r.report.applied).toSorted()).toEqual(WITH_TEST);
    const db = openWorkersDatabase({ LIBSQL_URL: server.url, LIBSQL_AUTH_TOKEN: TOKEN }).db;
    dbs.push(db);
    expect((await readAppliedMigrations(db)).map((m) => m.id)).toEqual(WITH_TEST);
    expect((await db.execute("SELECT x FROM test_b")).rows.map((r) => r.x)).toEqual([2]);
  });
});
