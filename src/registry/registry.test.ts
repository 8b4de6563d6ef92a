// The model registry on a real (in-memory) libSQL database: registration, aliases and their atomic
// moves, the gate's recording side, manual promotion and rollback chains. Node and Deno.
import { beforeEach, describe, expect, it } from "vitest";
import type { Client } from "@libsql/client";
import { fixedClock } from "../ports/clock.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import { createMemoryObjectStore } from "../storage/memory-object-store.ts";
import { ArtifactIntegrityError } from "../tracking/errors.ts";
import { Tracker } from "../tracking/tracker.ts";
import { openMigratedMemoryDb, recordRun, seedRun } from "../tracking/testing/seed.ts";
import type { SeedRunOptions } from "../tracking/testing/seed.ts";
import { aliasMoveStatements, GET_PRODUCTION_SQL, getAlias, moveAlias } from "./aliases.ts";
import type { AliasMove } from "./aliases.ts";
import {
  AliasConflictError,
  GateInputError,
  PromotionError,
  ProductionRescoreRequiredError,
  RegistrationError,
  VersionNotFoundError,
  WrongLocationError,
} from "./errors.ts";
import { Registry } from "./registry.ts";

let db: Client;
let objects: ObjectStore;
let clock: ReturnType<typeof fixedClock>;
let tracker: Tracker;
let registry: Registry;

beforeEach(async () => {
  db = await openMigratedMemoryDb();
  objects = createMemoryObjectStore();
  clock = fixedClock("2025-05-29T18:30:00Z");
  tracker = new Tracker({ db, objects, clock });
  registry = new Registry({ db, clock, objects });
});

/** A succeeded run, registered; the clock moves on a minute. */
async function version(o: SeedRunOptions): Promise<string> {
  const runId = await seedRun(tracker, o);
  const v = await registry.register(runId);
  clock.advance(60_000);
  return v.version;
}

const window = { from: "2025-04-01T00:00:00Z", to: "2025-05-01T00:00:00Z", n: 720 };
const rescore = (version: string, rmse: number) => ({ version, window, rmse });

async function historyRows(): Promise<Record<string, unknown>[]> {
  return (await db.execute("SELECT alias, from_version, to_version, action, actor_kind, actor FROM promotion_history ORDER BY id")).rows.map((r) => ({ ...r }));
}

describe("register", () => {
  it("makes a succeeded run a version named by its start second, copying keys, checksums and holdout scores", async () => {
    const runId = await seedRun(tracker, { rmse: 1.8, persistenceRmse: 2.2 });
    const v = await registry.register(runId);
    const run = (await tracker.getRun(runId))!;
    const art = (name: string) => run.artifacts.find((a) => a.name === name)!;
    expect(v).toEqual({
      location: "seoul",
      version: "20250529T183000Z",
      runId,
      registeredAt: "2025-05-29T18:30:00Z",
      model: { key: `models/seoul/${runId}/model.txt`, sha256: art("model.txt").sha256 },
      featureSpec: { key: `models/seoul/${runId}/features.json`, sha256: art("features.json").sha256, version: "nalssi-features-v1" },
      metricsArtifact: { key: `models/seoul/${runId}/metrics.json`, sha256: art("metrics.json").sha256 },
      compiled: null, // seedRun's model.txt is not a LightGBM model: nothing to compile
      holdout: { ...window, rmse: 1.8, mae: 1.8 * 0.8, persistenceRmse: 2.2, climatologyRmse: 3.1, kmaRmse: null, skill: 1 - 1.8 / 2.2 },
    });
    expect(await registry.getVersion("seoul", v.version)).toEqual(v);
  });

  it("adds -2, -3 for runs of one location that started in the same second; other locations keep the plain name", async () => {
    const a = await seedRun(tracker, { rmse: 1.8, persistenceRmse: 2.2 });
    const b = await seedRun(tracker, { rmse: 1.7, persistenceRmse: 2.2 });
    const c = await seedRun(tracker, { rmse: 1.7, persistenceRmse: 2.2 });
    const d = await seedRun(tracker, { rmse: 1.7, persistenceRmse: 2.2, location: "busan" });
    expect((await registry.register(a)).version).toBe("20250529T183000Z");
    expect((await registry.register(b)).version).toBe("20250529T183000Z-2");
    expect((await registry.register(c)).version).toBe("20250529T183000Z-3");
    expect((await registry.register(d)).version).toBe("20250529T183000Z");
    expect((await registry.listVersions({ location: "seoul" })).map((v) => v.version)).toEqual([
      "20250529T183000Z-3",
      "20250529T183000Z-2",
      "20250529T183000Z",
    ]);
  });

  it("refuses runs that did not succeed, lack holdout metrics or artifacts, or are registered already", async () => {
    const running = await tracker.startRun({ location: "seoul", code: { packageVersion: "0.1.0" } });
    await expect(registry.register(running)).rejects.toThrow(/is running: only a succeeded run can be registered/);
    await tracker.endRun(running, { status: "failed", error: new Error("x") });
    await expect(registry.register(running)).rejects.toBeInstanceOf(RegistrationError);

    const { runId: bare } = await recordRun(tracker, { location: "seoul", code: { packageVersion: "0.1.0" } }, async () => {});
    await expect(registry.register(bare)).rejects.toThrow(/has no holdout metrics/);

    const { runId: noModel } = await recordRun(tracker, { location: "seoul", code: { packageVersion: "0.1.0" } }, async (run) => {
      await run.logMetrics({ holdout: { ...window, model: { rmse: 1, mae: 1 }, persistence: { rmse: 2, mae: 2 }, skill: 0.5 } });
      await run.logDataset({ rows: 1, from: window.from, to: window.to, features: ["t"], featureSpecVersion: "v1", sha256: "a".repeat(64) });
      await run.logArtifact("features.json", "{}");
    });
    await expect(registry.register(noModel)).rejects.toThrow(/has no model artifact "model.txt" \(it has: features.json\)/);

    const ok = await seedRun(tracker, { rmse: 1.8, persistenceRmse: 2.2 });
    await registry.register(ok);
    await expect(registry.register(ok)).rejects.toThrow(/already registered as version 20250529T183000Z of seoul/);
  });

  it("the schema refuses versions of unsucceeded runs and any change to a version", async () => {
    const running = await tracker.startRun({ location: "seoul", code: { packageVersion: "0.1.0" } });
    const row = [
      `seoul`,
      "v1",
      running,
      "2025-05-29T18:30:00Z",
      "k",
      "a".repeat(64),
      "k2",
      "b".repeat(64),
      "v1",
      null,
      null,
      window.from,
      window.to,
      1,
      1,
      1,
      1,
      null,
      null,
      0,
      null,
      null,
    ];
    await expect(db.execute({ sql: `INSERT INTO model_versions VALUES (${row.map(() => "?").join(", ")})`, args: row })).rejects.toThrow(/has not succeeded/);
    const v = await version({ rmse: 1.8, persistenceRmse: 2.2 });
    await expect(db.execute({ sql: "UPDATE model_versions SET rmse = 0 WHERE version = ?", args: [v] })).rejects.toThrow(/cannot change/);
  });

  it("says when a version does not exist, or belongs to another location", async () => {
    await expect(registry.getVersion("seoul", "20990101T000000Z")).rejects.toThrow(
      'no model version "20990101T000000Z" for location seoul (it has no registered versions)',
    );
    const busan = await version({ rmse: 1.8, persistenceRmse: 2.2, location: "busan" });
    const err = await registry.getVersion("seoul", busan).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WrongLocationError);
    expect((err as Error).message).toBe(`model version "${busan}" belongs to location busan, not seoul: a version serves only the location it was trained for`);
    await expect(registry.promote({ location: "seoul", version: busan, by: "kim" })).rejects.toBeInstanceOf(WrongLocationError);
    await expect(registry.promote({ location: "seoul", version: "nope", by: "kim" })).rejects.toBeInstanceOf(VersionNotFoundError);
  });
});

describe("getProduction", () => {
  it("is null until something is promoted, then points at the version's files", async () => {
    expect(await registry.getProduction("seoul")).toBeNull();
    const v = await version({ rmse: 1.8, persistenceRmse: 2.2 });
    await registry.promote({ location: "seoul", version: v, by: "kim", reason: "first model" });
    const p = (await registry.getProduction("seoul"))!;
    const mv = await registry.getVersion("seoul", v);
    expect(p).toMatchObject({
      location: "seoul",
      version: v,
      runId: mv.runId,
      modelKey: mv.model.key,
      modelSha256: mv.model.sha256,
      featureSpecKey: mv.featureSpec.key,
      featureSpecSha256: mv.featureSpec.sha256,
      featureSpecVersion: "nalssi-features-v1",
    });
    expect(await registry.getProduction("busan")).toBeNull();
  });

  it("reads by primary key only (no table scan): cheap to poll", async () => {
    const plan = await db.execute({ sql: `EXPLAIN QUERY PLAN ${GET_PRODUCTION_SQL}`, args: ["seoul"] });
    const details = plan.rows.map((r) => String(r.detail));
    expect(details.length).toBe(2);
    for (const d of details)
      expect(d).toMatch(/^SEARCH .* USING INDEX sqlite_autoindex_model_(aliases|versions)_\d \(location_id=\? AND (alias|version)=\?\)$/);
  });
});

describe("applyGate (the recording side)", () => {
  it("promotes the first version that beats persistence, recording the decision", async () => {
    const v1 = await version({ rmse: 1.8, persistenceRmse: 2.2 });
    const { decision, events } = await registry.applyGate({ location: "seoul", version: v1, productionRescore: null });
    expect(decision.promote).toBe(true);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      alias: "production",
      from: null,
      to: v1,
      action: "gate_promote",
      actor: { kind: "gate", name: "gate" },
      reason: decision.reason,
    });
    expect(events[0]!.decision).toMatchObject({ promote: true, candidate: v1, checks: [{ name: "beats_persistence", passed: true }] });
    expect((await registry.getProduction("seoul"))!.version).toBe(v1);
  });

  it("keeps a version that fails as candidate with the reason, and needs production's re-score", async () => {
    const v0 = await version({ rmse: 2.3, persistenceRmse: 2.2 });
    const r0 = await registry.applyGate({ location: "seoul", version: v0, productionRescore: null });
    expect(r0.decision.promote).toBe(false);
    expect(await registry.getProduction("seoul")).toBeNull();
    expect(await getAlias(db, "seoul", "candidate")).toMatchObject({ version: v0 });
    expect(r0.events[0]).toMatchObject({ alias: "candidate", from: null, to: v0, action: "gate_candidate" });
    expect(r0.events[0]!.reason).toMatch(/^kept as candidate: does not beat persistence by 2%/);

    const v1 = await version({ rmse: 1.8, persistenceRmse: 2.2 });
    await registry.applyGate({ location: "seoul", version: v1, productionRescore: null });

    const v2 = await version({ rmse: 1.9, persistenceRmse: 2.2 });
    await expect(registry.applyGate({ location: "seoul", version: v2, productionRescore: null })).rejects.toBeInstanceOf(ProductionRescoreRequiredError);
    await expect(registry.applyGate({ location: "seoul", version: v2, productionRescore: null })).rejects.toThrow(
      `seoul has production version ${v1}: re-score it on ${v2}'s holdout window 2025-04-01T00:00:00Z..2025-05-01T00:00:00Z (n=720) and pass its RMSE as productionRescore`,
    );
    await expect(registry.applyGate({ location: "seoul", version: v2, productionRescore: rescore(v0, 1.8) })).rejects.toBeInstanceOf(AliasConflictError);
    const r2 = await registry.applyGate({ location: "seoul", version: v2, productionRescore: rescore(v1, 1.8) });
    expect(r2.decision.promote).toBe(false);
    expect(r2.events[0]).toMatchObject({ alias: "candidate", from: v0, to: v2 });
    expect((await registry.getProduction("seoul"))!.version).toBe(v1);
  });

  it("promotes a version that is within maxRegression of production on the same window, clearing it as candidate", async () => {
    const v1 = await version({ rmse: 1.8, persistenceRmse: 2.2 });
    await registry.applyGate({ location: "seoul", version: v1, productionRescore: null });
    const v2 = await version({ rmse: 1.81, persistenceRmse: 2.2 });
    // Too strict a policy keeps it as candidate ...
    const strict = await registry.applyGate({ location: "seoul", version: v2, productionRescore: rescore(v1, 1.8), policy: { maxRegression: 0 } });
    expect(strict.decision.promote).toBe(false);
    // ... the default tolerance promotes it, and the candidate alias that pointed to it goes.
    const { decision, events } = await registry.applyGate({ location: "seoul", version: v2, productionRescore: rescore(v1, 1.8) });
    expect(decision.promote).toBe(true);
    expect(events.map((e) => [e.alias, e.action, e.from, e.to])).toEqual([
      ["production", "gate_promote", v1, v2],
      ["candidate", "clear", v2, null],
    ]);
    expect(await getAlias(db, "seoul", "candidate")).toBeNull();
  });

  it("refuses a re-score when there is no production, and windows that differ", async () => {
    const v1 = await version({ rmse: 1.8, persistenceRmse: 2.2 });
    await expect(registry.applyGate({ location: "seoul", version: v1, productionRescore: rescore(v1, 1) })).rejects.toBeInstanceOf(GateInputError);
    await registry.applyGate({ location: "seoul", version: v1, productionRescore: null });
    const v2 = await version({ rmse: 1.7, persistenceRmse: 2.2 });
    await expect(
      registry.applyGate({ location: "seoul", version: v2, productionRescore: { version: v1, window: { ...window, n: 700 }, rmse: 1.8 } }),
    ).rejects.toThrow(/re-score production on the same window and rows/);
    expect((await registry.getProduction("seoul"))!.version).toBe(v1);
  });
});

describe("manual promote and rollback", () => {
  it("rolls back along the history: v1 -> v2 -> v3, back to v2, back to v1, then nothing earlier", async () => {
    const [v1, v2, v3] = [
      await version({ rmse: 1.8, persistenceRmse: 2.2 }),
      await version({ rmse: 1.7, persistenceRmse: 2.2 }),
      await version({ rmse: 1.6, persistenceRmse: 2.2 }),
    ];
    await registry.applyGate({ location: "seoul", version: v1, productionRescore: null });
    await registry.promote({ location: "seoul", version: v2, by: "kim", reason: "better in spring" });
    await registry.applyGate({ location: "seoul", version: v3, productionRescore: rescore(v2, 1.7) });
    expect((await registry.getProduction("seoul"))!.version).toBe(v3);

    const back1 = await registry.rollback({ location: "seoul", by: "lee", reason: "bad forecasts this morning" });
    expect(back1).toMatchObject({ from: v3, to: v2, action: "rollback", actor: { kind: "person", name: "lee" }, reason: "bad forecasts this morning" });
    const back2 = await registry.rollback({ location: "seoul", by: "lee" });
    expect(back2).toMatchObject({ from: v2, to: v1, action: "rollback", reason: `rollback from ${v2}` });
    expect((await registry.getProduction("seoul"))!.version).toBe(v1);
    await expect(registry.rollback({ location: "seoul", by: "lee" })).rejects.toThrow(
      `seoul has no earlier production version to roll back to (production ${v1} is the first)`,
    );
    expect(await historyRows()).toEqual([
      { alias: "production", from_version: null, to_version: v1, action: "gate_promote", actor_kind: "gate", actor: "gate" },
      { alias: "production", from_version: v1, to_version: v2, action: "promote", actor_kind: "person", actor: "kim" },
      { alias: "production", from_version: v2, to_version: v3, action: "gate_promote", actor_kind: "gate", actor: "gate" },
      { alias: "production", from_version: v3, to_version: v2, action: "rollback", actor_kind: "person", actor: "lee" },
      { alias: "production", from_version: v2, to_version: v1, action: "rollback", actor_kind: "person", actor: "lee" },
    ]);
  });

  it("after a rollback and a new promotion, rolls back to the version before that promotion", async () => {
    const [v1, v2, v4] = [
      await version({ rmse: 1.8, persistenceRmse: 2.2 }),
      await version({ rmse: 1.7, persistenceRmse: 2.2 }),
      await version({ rmse: 1.6, persistenceRmse: 2.2 }),
    ];
    await registry.promote({ location: "seoul", version: v1, by: "kim" });
    await registry.promote({ location: "seoul", version: v2, by: "kim" });
    await registry.rollback({ location: "seoul", by: "kim" });
    await registry.promote({ location: "seoul", version: v4, by: "kim" });
    expect(await registry.rollback({ location: "seoul", by: "kim" })).toMatchObject({ from: v4, to: v1 });
  });

  it("refuses a rollback without production, promoting production again, and clears the candidate on promotion", async () => {
    await expect(registry.rollback({ location: "seoul", by: "kim" })).rejects.toThrow("seoul has no production version to roll back");
    const v1 = await version({ rmse: 2.5, persistenceRmse: 2.2 });
    await registry.applyGate({ location: "seoul", version: v1, productionRescore: null }); // candidate
    const events = await registry.promote({ location: "seoul", version: v1, by: "kim", reason: "trust it anyway" });
    expect(events.map((e) => e.action)).toEqual(["promote", "clear"]);
    expect(await getAlias(db, "seoul", "candidate")).toBeNull();
    await expect(registry.promote({ location: "seoul", version: v1, by: "kim" })).rejects.toBeInstanceOf(PromotionError);
  });

  it("checks the model's bytes before production moves to it", async () => {
    const v1 = await version({ rmse: 1.8, persistenceRmse: 2.2 });
    const mv = await registry.getVersion("seoul", v1);
    await objects.put(mv.model.key, "tampered");
    await expect(registry.promote({ location: "seoul", version: v1, by: "kim" })).rejects.toBeInstanceOf(ArtifactIntegrityError);
    await objects.delete(mv.model.key);
    await expect(registry.applyGate({ location: "seoul", version: v1, productionRescore: null })).rejects.toThrow(/is missing from the object store/);
    expect(await registry.getProduction("seoul")).toBeNull();
    expect(await historyRows()).toEqual([]);
  });
});

describe("alias moves are atomic with their history", () => {
  async function twoVersions(): Promise<[string, string]> {
    const v1 = await version({ rmse: 1.8, persistenceRmse: 2.2 });
    const v2 = await version({ rmse: 1.7, persistenceRmse: 2.2 });
    await registry.promote({ location: "seoul", version: v1, by: "kim" });
    return [v1, v2];
  }
  const move = (to: string, expectedFrom: string | null): AliasMove => ({
    location: "seoul",
    alias: "production",
    to,
    expectedFrom,
    action: "promote",
    actor: { kind: "person", name: "kim" },
    reason: "test",
    at: clock.now(),
  });
  const nonces = { move: "a".repeat(32), clear: "b".repeat(32) };

  it("a failed history insert leaves the alias unmoved", async () => {
    const [v1, v2] = await twoVersions();
    const statements = aliasMoveStatements(move(v2, v1), nonces);
    const insert = statements[0] as { sql: string; args: unknown[] };
    insert.args[7] = "x".repeat(2001); // reason too long for the CHECK
    await expect(db.batch(statements, "write")).rejects.toThrow(/CHECK constraint failed: length\(reason\)/);
    expect((await registry.getProduction("seoul"))!.version).toBe(v1);
    expect((await historyRows()).length).toBe(1);
  });

  it("a failed alias move leaves no history row", async () => {
    const [v1, v2] = await twoVersions();
    const statements = aliasMoveStatements(move(v2, v1), nonces);
    statements[1] = { sql: "UPDATE model_aliases SET version = 'no-such-version' WHERE location_id = 'seoul'", args: [] };
    await expect(db.batch(statements, "write")).rejects.toThrow(/not a registered version/);
    expect((await registry.getProduction("seoul"))!.version).toBe(v1);
    expect((await db.execute({ sql: "SELECT count(*) AS n FROM promotion_history WHERE nonce = ?", args: [nonces.move] })).rows[0]!.n).toBe(0);
  });

  it("a stale expectation changes nothing (another writer moved the alias)", async () => {
    const [v1, v2] = await twoVersions();
    await expect(moveAlias(db, move(v2, null))).rejects.toThrow(
      `production of seoul points to ${v1}, not nothing as expected: it moved meanwhile; nothing was changed`,
    );
    await expect(moveAlias(db, move(v2, v2))).rejects.toBeInstanceOf(AliasConflictError);
    expect((await registry.getProduction("seoul"))!.version).toBe(v1);
    expect((await historyRows()).length).toBe(1);
    const [event] = await moveAlias(db, move(v2, v1));
    expect(event).toMatchObject({ from: v1, to: v2 });
    expect((await getAlias(db, "seoul", "production"))!.eventId).toBe(event!.id);
  });

  it("the history is append-only", async () => {
    await twoVersions();
    await expect(db.execute("UPDATE promotion_history SET reason = 'rewritten'")).rejects.toThrow(/append-only/);
    await expect(db.execute("DELETE FROM promotion_history")).rejects.toThrow(/append-only/);
  });

  it("requires a reason and a named actor", async () => {
    const [v1, v2] = await twoVersions();
    await expect(moveAlias(db, { ...move(v2, v1), reason: "  " })).rejects.toThrow(/a reason is required/);
    await expect(moveAlias(db, { ...move(v2, v1), actor: { kind: "person", name: "" } })).rejects.toThrow(/must be named/);
  });
});
