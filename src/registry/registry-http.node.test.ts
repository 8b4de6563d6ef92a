// The registry over HTTP (Hrana, tools/hrana-dev-server) with @libsql/client/web — the client the
// Worker uses — and with two independent clients racing: alias moves stay atomic and exactly one of
// two writers that expected the same production version wins.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHranaDevServer } from "../../tools/hrana-dev-server/server.ts";
import type { HranaDevServer } from "../../tools/hrana-dev-server/server.ts";
import { openWorkersDatabase } from "../adapters/workers/database.ts";
import { migrate } from "../db/migrate.ts";
import { fixedClock } from "../ports/clock.ts";
import type { Database } from "../ports/database.ts";
import { createMemoryObjectStore } from "../storage/memory-object-store.ts";
import { seedRun } from "../tracking/testing/seed.ts";
import { Tracker } from "../tracking/tracker.ts";
import { aliasMoveStatements, getAlias, moveAlias } from "./aliases.ts";
import type { AliasMove } from "./aliases.ts";
import { AliasConflictError } from "./errors.ts";
import { Registry } from "./registry.ts";

const TOKEN = "registry-http-token-7c2d";
let dir: string;
let server: HranaDevServer;
let db: Database;
let other: Database;
const clock = fixedClock("2025-05-29T18:30:00Z");
const objects = createMemoryObjectStore();
const versions: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "nalssi-registry-http-"));
  server = await startHranaDevServer({ dbPath: join(dir, "served.db"), port: 0, token: TOKEN });
  db = openWorkersDatabase({ LIBSQL_URL: server.url, LIBSQL_AUTH_TOKEN: TOKEN }).db;
  other = openWorkersDatabase({ LIBSQL_URL: server.url, LIBSQL_AUTH_TOKEN: TOKEN }).db;
  await migrate(db, { clock });
  const tracker = new Tracker({ db, objects, clock });
  const registry = new Registry({ db, clock, objects });
  for (const rmse of [1.9, 1.8, 1.7]) {
    versions.push((await registry.register(await seedRun(tracker, { rmse, persistenceRmse: 2.2 }))).version);
    clock.advance(60_000);
  }
});

afterAll(async () => {
  db?.close();
  other?.close();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const move = (to: string, expectedFrom: string | null, actor: string): AliasMove => ({
  location: "seoul",
  alias: "production",
  to,
  expectedFrom,
  action: "promote",
  actor: { kind: "person", name: actor },
  reason: `by ${actor}`,
  at: clock.now(),
  clearCandidate: true,
});

describe("registry over HTTP with the Workers client", () => {
  it("gate, getProduction, promote and rollback work as on the embedded database", async () => {
    const registry = new Registry({ db, clock, objects });
    const [v1, v2] = versions as [string, string];
    const first = await registry.applyGate({ location: "seoul", version: v1, productionRescore: null });
    expect(first.decision.promote).toBe(true);
    expect((await registry.getProduction("seoul"))!.version).toBe(v1);
    const gated = await registry.applyGate({
      location: "seoul",
      version: v2,
      productionRescore: { version: v1, window: { from: "2025-04-01T00:00:00Z", to: "2025-05-01T00:00:00Z", n: 720 }, rmse: 1.5 },
    });
    expect(gated.decision.promote).toBe(false);
    const promoted = await registry.promote({ location: "seoul", version: v2, by: "kim" });
    expect(promoted.map((e) => e.action)).toEqual(["promote", "clear"]);
    expect(await registry.rollback({ location: "seoul", by: "kim" })).toMatchObject({ from: v2, to: v1 });
  });

  it("a batch that fails half-way leaves neither the alias moved nor a history row", async () => {
    const before = (await getAlias(db, "seoul", "production"))!.version;
    const count = async () => Number((await db.execute("SELECT count(*) AS n FROM promotion_history")).rows[0]!.n);
    const n = await count();
    const statements = aliasMoveStatements(move(versions[2]!, before, "kim"), { move: "c".repeat(32), clear: "d".repeat(32) });
    statements[1] = { sql: "UPDATE model_aliases SET version = 'missing' WHERE location_id = 'seoul'", args: [] };
    await expect(db.batch(statements, "write")).rejects.toThrow(/not a registered version/);
    expect((await getAlias(db, "seoul", "production"))!.version).toBe(before);
    expect(await count()).toBe(n);
  });

  it("of two clients moving production from the same version at once, exactly one wins", async () => {
    const from = (await getAlias(db, "seoul", "production"))!.version;
    const [a, b] = versions.filter((v) => v !== from) as [string, string];
    const results = await Promise.allSettled([moveAlias(db, move(a, from, "first")), moveAlias(other, move(b, from, "second"))]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(AliasConflictError);
    const winner = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof moveAlias>>>).value[0]!;
    expect((await getAlias(db, "seoul", "production"))!.version).toBe(winner.to);
    const last = await db.execute("SELECT from_version, to_version FROM promotion_history WHERE alias = 'production' ORDER BY id DESC LIMIT 1");
    expect({ ...last.rows[0] }).toEqual({ from_version: from, to_version: winner.to });
  });
});
