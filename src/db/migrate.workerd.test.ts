// The Worker path: inside workerd, @libsql/client/web (via the Workers adapter) talks Hrana over
// HTTP to the dev server that the vitest globalSetup started on a fresh file, and the migration
// runner applies, re-checks and refuses exactly as it does on Node and Deno.
import { describe, expect, inject, it } from "vitest";
import type {} from "../../tools/hrana-dev-server/provided-context.ts";
import { openWorkersDatabase } from "../adapters/workers/database.ts";
import { fixedClock } from "../ports/clock.ts";
import { migrate, planMigrations, readAppliedMigrations } from "./migrate.ts";
import { sha256Hex } from "./migration.ts";
import { MigrationChecksumMismatchError, MigrationFailedError, UnknownMigrationError } from "./migration-errors.ts";
import { MIGRATIONS } from "./migrations.generated.ts";

const url = inject("hranaDevServerUrl");
const token = inject("hranaDevServerToken");
const FIRST = MIGRATIONS[0]!;
const ALL = MIGRATIONS.map((m) => m.id);
const clock = fixedClock("2025-05-29T14:00:00Z");

// The tests share one database and run in order: fresh apply first.
describe("migrations inside workerd over HTTP", () => {
  const { db, location } = openWorkersDatabase({ LIBSQL_URL: url, LIBSQL_AUTH_TOKEN: token });

  it("runs in workerd and reaches the dev server", async () => {
    expect(navigator.userAgent).toBe("Cloudflare-Workers");
    expect(location).toBe(url);
    expect((await db.execute("SELECT 1 AS one")).rows[0]!.one).toBe(1);
  });

  it("applies the migrations to the fresh database", async () => {
    expect(await planMigrations(db)).toEqual({ applied: [], pending: ALL });
    expect(await migrate(db, { clock })).toEqual({ applied: ALL, alreadyApplied: [] });
    const recorded = await readAppliedMigrations(db);
    expect(recorded.map((m) => m.id)).toEqual(ALL);
    expect(recorded[0]).toEqual({ id: FIRST.id, checksum: await sha256Hex(FIRST.sql), appliedAt: "2025-05-29T14:00:00Z" });
    const objects = await db.execute(
      "SELECT type, name FROM sqlite_master WHERE name IN ('observations', 'forecasts', 'ingest_runs', 'observations_best') ORDER BY name",
    );
    expect(objects.rows.map((r) => `${r.type} ${r.name}`)).toEqual(["table forecasts", "table ingest_runs", "table observations", "view observations_best"]);
  });

  it("does nothing when run again", async () => {
    expect(await migrate(db, { clock: fixedClock("2026-01-01T00:00:00Z") })).toEqual({ applied: [], alreadyApplied: ALL });
  });

  it("writes and reads the schema through the Worker client", async () => {
    await db.batch(
      [
        "INSERT INTO observations (location_id, observed_at, source, temperature_c, ingested_at, updated_at) VALUES ('seoul', '2025-05-29T14:00:00Z', 'ultra_srt_ncst', 18.5, '2025-05-29T14:12:00Z', '2025-05-29T14:12:00Z')",
        "INSERT INTO observations (location_id, observed_at, source, temperature_c, pressure_hpa, ingested_at, updated_at) VALUES ('seoul', '2025-05-29T14:00:00Z', 'asos', 18.1, 1003.2, '2025-05-30T01:00:00Z', '2025-05-30T01:00:00Z')",
      ],
      "write",
    );
    const best = await db.execute("SELECT primary_source, temperature_source, temperature_c, pressure_hpa FROM observations_best WHERE location_id = 'seoul'");
    expect(best.rows.map((r) => ({ ...r }))).toEqual([{ primary_source: "asos", temperature_source: "asos", temperature_c: 18.1, pressure_hpa: 1003.2 }]);
    await expect(
      db.execute(
        "INSERT INTO observations (location_id, observed_at, source, ingested_at, updated_at) VALUES ('seoul', '2025-05-29T14:30:00Z', 'asos', '2025-05-30T01:00:00Z', '2025-05-30T01:00:00Z')",
      ),
    ).rejects.toThrow(/CHECK constraint failed/);
  });

  it("rolls a failing migration back and records nothing", async () => {
    const broken = { id: "9001_broken", sql: "CREATE TABLE half (x INTEGER) STRICT;\nINSERT INTO no_such_table VALUES (1);" };
    await expect(migrate(db, { clock, migrations: [...MIGRATIONS, broken] })).rejects.toBeInstanceOf(MigrationFailedError);
    expect((await db.execute("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half'")).rows[0]!.n).toBe(0);
    expect((await readAppliedMigrations(db)).map((m) => m.id)).toEqual(ALL);
  });

  it("refuses an edited migration and a schema newer than the code", async () => {
    const edited = MIGRATIONS.map((m, i) => (i === 0 ? { id: m.id, sql: m.sql + "\n-- edited\n" } : m));
    await expect(migrate(db, { clock, migrations: edited })).rejects.toBeInstanceOf(MigrationChecksumMismatchError);
    const next = { id: "9002_model_runs", sql: "CREATE TABLE model_runs (id INTEGER PRIMARY KEY) STRICT;" };
    expect((await migrate(db, { clock, migrations: [...MIGRATIONS, next] })).applied).toEqual([next.id]);
    await expect(migrate(db, { clock })).rejects.toBeInstanceOf(UnknownMigrationError);
  });

  it("fails without the token, and the error does not contain it", async () => {
    const wrong = openWorkersDatabase({ LIBSQL_URL: url, LIBSQL_AUTH_TOKEN: "not-the-token-123" }).db;
    const e = (await wrong.execute("SELECT 1").catch((x: unknown) => x)) as Error;
    expect(e.message).toMatch(/401/);
    expect(`${e.message} ${e.stack ?? ""}`).not.toContain(token);
    expect(`${e.message} ${e.stack ?? ""}`).not.toContain("not-the-token-123");
  });
});
