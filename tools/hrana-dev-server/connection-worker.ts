// A worker thread that owns ONE SQLite connection (one Hrana stream at a time). Running every stream
// on its own thread is what makes the dev server behave like a real server under contention: a
// statement waiting for a lock (busy timeout) blocks only its own stream, and the stream holding the
// lock can still commit. The native `libsql` package is synchronous (better-sqlite3 API).
import { parentPort } from "node:worker_threads";
import Database from "libsql";
import { analyzeSql } from "./sql-analysis.ts";
import type { SqlAnalysis } from "./sql-analysis.ts";
import type { BatchCond, BatchResult, BatchStep, DescribeResult, HranaError, Stmt, StmtResult, Value, WorkerReply, WorkerRequest } from "./protocol.ts";

type Db = InstanceType<typeof Database>;
type Row = unknown[];

/** A statement failed; reported to the client as a Hrana error, the stream stays usable. */
class StmtError extends Error {
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.code = code;
  }
}

const BASE_CODES: Record<number, string> = {
  1: "SQLITE_ERROR",
  2: "SQLITE_INTERNAL",
  3: "SQLITE_PERM",
  4: "SQLITE_ABORT",
  5: "SQLITE_BUSY",
  6: "SQLITE_LOCKED",
  7: "SQLITE_NOMEM",
  8: "SQLITE_READONLY",
  9: "SQLITE_INTERRUPT",
  10: "SQLITE_IOERR",
  11: "SQLITE_CORRUPT",
  12: "SQLITE_NOTFOUND",
  13: "SQLITE_FULL",
  14: "SQLITE_CANTOPEN",
  15: "SQLITE_PROTOCOL",
  16: "SQLITE_EMPTY",
  17: "SQLITE_SCHEMA",
  18: "SQLITE_TOOBIG",
  19: "SQLITE_CONSTRAINT",
  20: "SQLITE_MISMATCH",
  21: "SQLITE_MISUSE",
  22: "SQLITE_NOLFS",
  23: "SQLITE_AUTH",
  24: "SQLITE_FORMAT",
  25: "SQLITE_RANGE",
  26: "SQLITE_NOTADB",
};

/** SQLite errors as sqld reports them: "SQLite error: <message>" with the primary result code name. */
function sqliteError(e: unknown): StmtError {
  if (e instanceof StmtError) return e;
  const err = e as { message?: unknown; code?: unknown; rawCode?: unknown };
  const message = typeof err.message === "string" ? err.message : String(e);
  if (typeof err.rawCode === "number") return new StmtError(`SQLite error: ${message}`, BASE_CODES[err.rawCode & 0xff] ?? "SQLITE_UNKNOWN");
  if (typeof err.code === "string" && err.code.startsWith("SQLITE_")) {
    const base = Object.values(BASE_CODES).find((c) => err.code === c || (err.code as string).startsWith(c + "_"));
    return new StmtError(`SQLite error: ${message}`, base ?? "SQLITE_UNKNOWN");
  }
  throw e;
}

let db: Db | undefined;
// A second connection for EXPLAIN only: an EXPLAIN of a writing statement stays "in progress" in
// libsql until it is garbage collected, and on the stream's own connection that would make the
// next COMMIT fail. The side connection never holds a transaction. It sees committed schema only,
// so statements on objects created in the stream's open transaction are not cross-checked.
let side: Db | undefined;
let dbPath = "";
let busyTimeout = 0;
let changesStmt: ReturnType<Db["prepare"]> | undefined;

function open(path: string, busyTimeoutMs: number): void {
  db = new Database(path, { timeout: busyTimeoutMs });
  db.exec(`PRAGMA busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
  side ??= new Database(path, { timeout: busyTimeoutMs });
  dbPath = path;
  busyTimeout = busyTimeoutMs;
  changesStmt = db.prepare("SELECT changes(), last_insert_rowid(), total_changes()");
  changesStmt.safeIntegers(true).raw(true);
}

function conn(): Db {
  if (!db) throw new Error("internal: the connection is not open");
  return db;
}

/**
 * libsql leaves a prepared statement that failed with SQLITE_BUSY active until it is garbage
 * collected, and an active statement makes a later COMMIT on the connection fail. Outside a
 * transaction nothing is lost by replacing the connection, so that is what happens then.
 */
function recoverFromBusy(e: unknown): void {
  const rawCode = (e as { rawCode?: unknown }).rawCode;
  if (typeof rawCode === "number" && (rawCode & 0xff) === 5 && db && !db.inTransaction) {
    db.close();
    open(dbPath, busyTimeout);
  }
}

function counters(): { changes: bigint; lastInsertRowid: bigint; total: bigint } {
  const row = changesStmt!.all([])[0] as [bigint, bigint, bigint];
  return { changes: row[0], lastInsertRowid: row[1], total: row[2] };
}

function bindArgs(analysis: SqlAnalysis, stmt: Stmt): Value[] {
  if (stmt.args.length > 0 && stmt.namedArgs.length > 0) {
    throw new StmtError("Specifying both positional and named arguments is not supported", "ARGS_BOTH_POSITIONAL_AND_NAMED");
  }
  const count = analysis.params.length;
  const provided = stmt.args.length + stmt.namedArgs.length;
  if (provided > count) throw new StmtError(`Arguments do not match SQL parameters: too many parameters, expected ${count} found ${provided}`, "ARGS_INVALID");
  const named = new Map(stmt.namedArgs.map((a) => [a.name, a.value]));
  const bound: Value[] = [];
  for (let index = 1; index <= count; index++) {
    const name = analysis.params[index - 1] ?? null;
    let value: Value | undefined;
    if (name === null) value = stmt.args[index - 1];
    else if (name.startsWith("?")) value = stmt.args[Number(name.slice(1)) - 1];
    else value = named.get(name) ?? named.get(name.slice(1));
    if (value === undefined) {
      if (analysis.isExplain) value = null;
      else throw new StmtError(`Arguments do not match SQL parameters: value for parameter ${name ?? index} not found`, "ARGS_INVALID");
    }
    bound.push(value);
  }
  return bound;
}

type Op = { opcode: string; p1: number; p2: number; p4: unknown };

/** The statement's program from the side connection, or undefined if it cannot see what it refers to. */
function explain(sql: string): Op[] | undefined {
  try {
    return side!.prepare(`EXPLAIN ${sql}`).all() as Op[];
  } catch {
    return undefined;
  }
}

/** SQLite's own view of the parameter slots (EXPLAIN's Variable opcodes) must agree with ours. */
function crossCheckParams(sql: string, analysis: SqlAnalysis): void {
  if (analysis.isExplain) return;
  const ops = explain(sql);
  if (ops === undefined) return;
  for (const op of ops) {
    if (op.opcode !== "Variable") continue;
    const ours = analysis.params[op.p1 - 1];
    const theirs = typeof op.p4 === "string" ? op.p4 : null;
    if (ours === undefined || (theirs !== null && ours !== theirs)) {
      throw new StmtError(
        `dev server: parameter ${op.p1} is ${JSON.stringify(theirs)} for SQLite but ${JSON.stringify(ours ?? "missing")} for the dev server's analysis; please report this SQL`,
        "INTERNAL",
      );
    }
  }
}

function toRowValue(v: unknown): Value {
  if (v === null || typeof v === "bigint" || typeof v === "number" || typeof v === "string") return v;
  if (v instanceof Uint8Array) return new Uint8Array(v);
  throw new Error(`internal: unexpected value from SQLite: ${typeof v}`);
}

function executeStmt(stmt: Stmt): StmtResult {
  const c = conn();
  const analysis = analyzeSql(stmt.sql);
  if (analysis.statementCount === 0) throw new StmtError("SQL string does not contain any statement", "SQL_NO_STATEMENT");
  if (analysis.statementCount > 1) throw new StmtError("SQL string contains more than one statement", "SQL_MANY_STATEMENTS");
  let prepared: ReturnType<Db["prepare"]>;
  try {
    prepared = c.prepare(stmt.sql);
  } catch (e) {
    recoverFromBusy(e);
    throw sqliteError(e);
  }
  const args = bindArgs(analysis, stmt);
  crossCheckParams(stmt.sql, analysis);
  prepared.safeIntegers(true);
  const before = counters().total;
  let cols: { name: string | null; decltype: string | null }[] = [];
  let rows: Value[][] = [];
  try {
    if (prepared.reader) {
      prepared.raw(true);
      cols = prepared.columns().map((col) => ({ name: col.name, decltype: col.type }));
      const all = prepared.all(args) as Row[];
      if (stmt.wantRows) rows = all.map((r) => r.map(toRowValue));
    } else if (args.length === 0) {
      c.exec(stmt.sql); // sqlite3_exec finalizes even on SQLITE_BUSY (see recoverFromBusy)
    } else {
      prepared.run(args);
    }
  } catch (e) {
    recoverFromBusy(e);
    throw sqliteError(e);
  }
  const after = counters();
  const changed = after.total !== before;
  return { cols, rows, affectedRowCount: changed ? Number(after.changes) : 0, lastInsertRowid: changed ? after.lastInsertRowid : null };
}

function evalCond(cond: BatchCond, results: readonly (StmtResult | null)[], errors: readonly (HranaError | null)[]): boolean {
  switch (cond.type) {
    case "ok":
      return results[cond.step] != null;
    case "error":
      return errors[cond.step] != null;
    case "not":
      return !evalCond(cond.cond, results, errors);
    case "and":
      return cond.conds.every((c) => evalCond(c, results, errors));
    case "or":
      return cond.conds.some((c) => evalCond(c, results, errors));
    case "is_autocommit":
      return !conn().inTransaction;
  }
}

function runBatch(steps: BatchStep[]): BatchResult {
  const stepResults: (StmtResult | null)[] = [];
  const stepErrors: (HranaError | null)[] = [];
  for (const step of steps) {
    if (step.condition !== null && !evalCond(step.condition, stepResults, stepErrors)) {
      stepResults.push(null);
      stepErrors.push(null);
      continue;
    }
    try {
      stepResults.push(executeStmt(step.stmt));
      stepErrors.push(null);
    } catch (e) {
      if (!(e instanceof StmtError)) throw e;
      stepResults.push(null);
      stepErrors.push({ message: e.message, code: e.code });
    }
  }
  return { stepResults, stepErrors };
}

function runSequence(sql: string): null {
  try {
    conn().exec(sql);
  } catch (e) {
    throw sqliteError(e);
  }
  return null;
}

function describe(sql: string): DescribeResult {
  const analysis = analyzeSql(sql);
  if (analysis.statementCount === 0) throw new StmtError("SQL string does not contain any statement", "SQL_NO_STATEMENT");
  if (analysis.statementCount > 1) throw new StmtError("SQL string contains more than one statement", "SQL_MANY_STATEMENTS");
  let prepared: ReturnType<Db["prepare"]>;
  try {
    prepared = conn().prepare(sql);
  } catch (e) {
    throw sqliteError(e);
  }
  crossCheckParams(sql, analysis);
  let cols: { name: string; decltype: string | null }[] = [];
  if (prepared.reader) cols = prepared.columns().map((c) => ({ name: c.name, decltype: c.type }));
  // sqlite3_stmt_readonly() is not exposed: a statement writes iff its program opens a write transaction.
  let isReadonly = true;
  if (!analysis.isExplain) {
    const ops = explain(sql);
    if (ops === undefined) {
      throw new StmtError(
        "The dev server cannot describe a statement on tables created in the stream's open transaction (commit first)",
        "DESCRIBE_UNSUPPORTED",
      );
    }
    isReadonly = !ops.some((op) => (op.opcode === "Transaction" && op.p2 !== 0) || op.opcode === "OpenWrite");
  }
  return { params: analysis.params.map((name) => ({ name })), cols, isExplain: analysis.isExplain, isReadonly };
}

function handle(msg: WorkerRequest): unknown {
  switch (msg.op) {
    case "open":
      if (db) throw new Error("internal: a connection is already open on this worker");
      open(msg.path, msg.busyTimeoutMs);
      return null;
    case "close": {
      // Roll back explicitly: libsql's close() leaves a connection that still has un-finalized
      // statements open as a "zombie" until garbage collection, and with it the transaction and
      // its write lock.
      let rollbackError: unknown;
      if (db?.inTransaction) {
        try {
          db.exec("ROLLBACK");
        } catch (e) {
          rollbackError = e;
        }
      }
      changesStmt = undefined;
      db?.close();
      db = undefined;
      side?.close();
      side = undefined;
      if (rollbackError !== undefined) throw new Error(`rolling back the stream's open transaction failed: ${(rollbackError as Error).message}`);
      return null;
    }
    case "execute":
      return executeStmt(msg.stmt);
    case "batch":
      return runBatch(msg.steps);
    case "sequence":
      return runSequence(msg.sql);
    case "describe":
      return describe(msg.sql);
    case "get_autocommit":
      return !conn().inTransaction;
  }
}

parentPort!.on("message", (msg: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    reply = { id: msg.id, ok: true, result: handle(msg) };
  } catch (e) {
    if (e instanceof StmtError) reply = { id: msg.id, ok: false, kind: "stmt", error: { message: e.message, code: e.code } };
    else reply = { id: msg.id, ok: false, kind: "internal", error: { message: e instanceof Error ? e.message : String(e), code: "INTERNAL" } };
  }
  parentPort!.postMessage(reply);
});
