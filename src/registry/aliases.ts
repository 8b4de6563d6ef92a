// Aliases (`production`, `candidate`) per location, and the promotion history.
//
// Moving an alias is one batch (one transaction) of:
//   1. INSERT INTO promotion_history ... SELECT ... — records the move, reading `from_version` from
//      the alias row inside the same transaction, and only WHERE the alias still points to the
//      version the caller expects (optimistic concurrency: the gate compared against that one);
//   2. the alias move itself: ONE upsert into model_aliases, taking its target and event id from the
//      history row written by (1), found by a random nonce; no history row, no move;
//   3. for production moves, optionally: a 'clear' history row and the DELETE of the `candidate`
//      alias when it points to the version just promoted (both conditional on (1) having happened).
// So the alias and its history always agree: a failed history insert leaves the alias where it was,
// a failed alias move leaves no history. getProduction is one primary-key read (the edge polls it).
import type { Database, InStatement, Row } from "../ports/database.ts";
import { toUtcSecondFloor } from "../db/utc-time.ts";
import { randomHex } from "../ids/random.ts";
import type { JsonObject } from "../tracking/json.ts";
import { AliasConflictError, GateInputError } from "./errors.ts";
import { checkLocation } from "./versions.ts";

export type AliasName = "production" | "candidate";
export const ALIASES: readonly AliasName[] = ["production", "candidate"];

/**
 * production: 'promote' (a person), 'rollback' (a person), 'gate_promote' (the gate);
 * candidate: 'gate_candidate' (the gate kept it out of production), 'clear' (it was promoted).
 */
export type PromotionAction = "promote" | "rollback" | "gate_promote" | "gate_candidate" | "clear";

export interface Actor {
  kind: "gate" | "person";
  /** The gate's name ('gate') or the person's. */
  name: string;
}

export interface AliasMove {
  location: string;
  alias: AliasName;
  /** The version the alias will point to. */
  to: string;
  /** What the alias must point to now (null: not set); otherwise AliasConflictError and nothing changes. */
  expectedFrom: string | null;
  action: Exclude<PromotionAction, "clear">;
  actor: Actor;
  reason: string;
  /** The gate's decision, for gate actions. */
  decision?: JsonObject | null;
  at: Date;
  /** For production moves: also remove the `candidate` alias if it points to `to`. */
  clearCandidate?: boolean;
}

export interface PromotionEvent {
  id: number;
  location: string;
  alias: AliasName;
  from: string | null;
  to: string | null;
  action: PromotionAction;
  actor: Actor;
  reason: string;
  decision: JsonObject | null;
  at: string;
}

export interface AliasPointer {
  location: string;
  alias: AliasName;
  version: string;
  /** When the alias was last moved, and the history row that moved it. */
  since: string;
  eventId: number;
}

/** What the edge needs to serve: which version, where its files are, and their checksums. */
export interface ProductionModel {
  location: string;
  version: string;
  runId: string;
  modelKey: string;
  modelSha256: string;
  featureSpecKey: string;
  featureSpecSha256: string;
  featureSpecVersion: string;
  /** The compiled model (src/registry/compiled.ts), or null: serving then parses model.txt. */
  compiledKey: string | null;
  compiledSha256: string | null;
  since: string;
  eventId: number;
}

export const MAX_REASON_LENGTH = 2000;

export function checkReason(reason: string): string {
  const r = typeof reason === "string" ? reason.replace(/\s+/g, " ").trim() : "";
  if (r === "") throw new GateInputError("a reason is required for every alias move");
  if (r.length > MAX_REASON_LENGTH) throw new GateInputError(`the reason is longer than ${MAX_REASON_LENGTH} characters`);
  return r;
}

export function checkActor(actor: Actor): Actor {
  const name = typeof actor?.name === "string" ? actor.name.trim() : "";
  if (name === "" || name.length > 100) throw new GateInputError("the actor (gate or person) must be named, 1..100 characters");
  if (actor.kind !== "gate" && actor.kind !== "person") throw new GateInputError(`actor kind must be "gate" or "person", got ${JSON.stringify(actor.kind)}`);
  return { kind: actor.kind, name };
}

const HISTORY_INSERT = `INSERT INTO promotion_history (nonce, location_id, alias, from_version, to_version, action, actor_kind, actor, reason, decision, at)
SELECT ?, ?, ?, cur.version, ?, ?, ?, ?, ?, ?, ?
FROM (SELECT (SELECT version FROM model_aliases WHERE location_id = ? AND alias = ?) AS version) AS cur
WHERE cur.version IS ?`;

const ALIAS_UPSERT = `INSERT INTO model_aliases (location_id, alias, version, event_id, updated_at)
SELECT location_id, alias, to_version, id, at FROM promotion_history WHERE nonce = ?
ON CONFLICT (location_id, alias) DO UPDATE SET version = excluded.version, event_id = excluded.event_id, updated_at = excluded.updated_at`;

const CLEAR_HISTORY_INSERT = `INSERT INTO promotion_history (nonce, location_id, alias, from_version, to_version, action, actor_kind, actor, reason, decision, at)
SELECT ?, location_id, 'candidate', version, NULL, 'clear', ?, ?, ?, NULL, ?
FROM model_aliases
WHERE location_id = ? AND alias = 'candidate' AND version = ? AND EXISTS (SELECT 1 FROM promotion_history WHERE nonce = ?)`;

const CLEAR_ALIAS = `DELETE FROM model_aliases
WHERE location_id = ? AND alias = 'candidate' AND version = ? AND EXISTS (SELECT 1 FROM promotion_history WHERE nonce = ?)`;

/** The statements of one alias move, in order (see the file comment). Exported for tests. */
export function aliasMoveStatements(move: AliasMove, nonces: { move: string; clear: string }): InStatement[] {
  const at = toUtcSecondFloor(move.at, "at");
  const actor = checkActor(move.actor);
  const reason = checkReason(move.reason);
  const decision = move.decision == null ? null : JSON.stringify(move.decision);
  const statements: InStatement[] = [
    {
      sql: HISTORY_INSERT,
      args: [
        nonces.move,
        move.location,
        move.alias,
        move.to,
        move.action,
        actor.kind,
        actor.name,
        reason,
        decision,
        at,
        move.location,
        move.alias,
        move.expectedFrom,
      ],
    },
    { sql: ALIAS_UPSERT, args: [nonces.move] },
  ];
  if (move.clearCandidate && move.alias === "production") {
    const why = `promoted to production (${move.action})`;
    statements.push(
      { sql: CLEAR_HISTORY_INSERT, args: [nonces.clear, actor.kind, actor.name, why, at, move.location, move.to, nonces.move] },
      { sql: CLEAR_ALIAS, args: [move.location, move.to, nonces.clear] },
    );
  }
  return statements;
}

export function eventFromRow(r: Row): PromotionEvent {
  return {
    id: Number(r.id),
    location: String(r.location_id),
    alias: String(r.alias) as AliasName,
    from: r.from_version === null ? null : String(r.from_version),
    to: r.to_version === null ? null : String(r.to_version),
    action: String(r.action) as PromotionAction,
    actor: { kind: String(r.actor_kind) as Actor["kind"], name: String(r.actor) },
    reason: String(r.reason),
    decision: r.decision === null ? null : (JSON.parse(String(r.decision)) as JsonObject),
    at: String(r.at),
  };
}

/** Where the alias points now, or null. */
export async function getAlias(db: Pick<Database, "execute">, location: string, alias: AliasName): Promise<AliasPointer | null> {
  const rs = await db.execute({ sql: "SELECT * FROM model_aliases WHERE location_id = ? AND alias = ?", args: [location, alias] });
  const r = rs.rows[0];
  return r === undefined ? null : pointerFromRow(r);
}

function pointerFromRow(r: Row): AliasPointer {
  return {
    location: String(r.location_id),
    alias: String(r.alias) as AliasName,
    version: String(r.version),
    since: String(r.updated_at),
    eventId: Number(r.event_id),
  };
}

/** Every alias, of one location or all. */
export async function listAliases(db: Pick<Database, "execute">, location?: string): Promise<AliasPointer[]> {
  if (location !== undefined) checkLocation(location);
  const rs = await db.execute(
    location === undefined
      ? "SELECT * FROM model_aliases ORDER BY location_id, alias DESC"
      : { sql: "SELECT * FROM model_aliases WHERE location_id = ? ORDER BY alias DESC", args: [location] },
  );
  return rs.rows.map(pointerFromRow);
}

/**
 * Moves the alias and records the move atomically. Returns the history rows written (the move,
 * then the candidate 'clear' if there was one). Throws AliasConflictError, changing nothing, when the
 * alias no longer points to `expectedFrom`.
 */
export async function moveAlias(db: Pick<Database, "batch" | "execute">, move: AliasMove): Promise<PromotionEvent[]> {
  checkLocation(move.location);
  const nonces = { move: randomHex(16), clear: randomHex(16) };
  const results = await db.batch(aliasMoveStatements(move, nonces), "write");
  if (results[0]!.rowsAffected !== 1) {
    const now = await getAlias(db, move.location, move.alias);
    throw new AliasConflictError(
      `${move.alias} of ${move.location} points to ${now?.version ?? "nothing"}, not ${move.expectedFrom ?? "nothing"} as expected: it moved meanwhile; nothing was changed`,
    );
  }
  const rs = await db.execute({ sql: "SELECT * FROM promotion_history WHERE nonce IN (?, ?) ORDER BY id", args: [nonces.move, nonces.clear] });
  return rs.rows.map(eventFromRow);
}

const PRODUCTION_SQL = `SELECT a.location_id, a.version, a.updated_at, a.event_id, v.run_id, v.model_key, v.model_sha256,
  v.feature_spec_key, v.feature_spec_sha256, v.feature_spec_version, v.compiled_key, v.compiled_sha256
FROM model_aliases AS a
JOIN model_versions AS v ON v.location_id = a.location_id AND v.version = a.version
WHERE a.location_id = ? AND a.alias = 'production'`;

/** The production model of a location, or null. One read by primary key: cheap enough to poll. */
export async function getProduction(db: Pick<Database, "execute">, location: string): Promise<ProductionModel | null> {
  const rs = await db.execute({ sql: PRODUCTION_SQL, args: [location] });
  const r = rs.rows[0];
  if (r === undefined) return null;
  return {
    location: String(r.location_id),
    version: String(r.version),
    runId: String(r.run_id),
    modelKey: String(r.model_key),
    modelSha256: String(r.model_sha256),
    featureSpecKey: String(r.feature_spec_key),
    featureSpecSha256: String(r.feature_spec_sha256),
    featureSpecVersion: String(r.feature_spec_version),
    compiledKey: r.compiled_key == null || r.compiled_sha256 == null ? null : String(r.compiled_key),
    compiledSha256: r.compiled_key == null || r.compiled_sha256 == null ? null : String(r.compiled_sha256),
    since: String(r.updated_at),
    eventId: Number(r.event_id),
  };
}

/** The SQL getProduction runs (for EXPLAIN QUERY PLAN in tests). */
export const GET_PRODUCTION_SQL = PRODUCTION_SQL;
