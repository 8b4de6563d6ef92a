// Hrana structures (spec: libsql docs/HRANA_3_SPEC.md, JSON encoding) and their decoding from /
// encoding to JSON. Decoding is strict: a malformed request is a protocol error (HTTP 400), as in sqld.

export type Version = 2 | 3;

/** A SQLite value inside the server: integers are bigint, floats number, blobs Uint8Array. */
export type Value = null | bigint | number | string | Uint8Array;

export interface Stmt {
  sql: string;
  args: Value[];
  namedArgs: { name: string; value: Value }[];
  wantRows: boolean;
}

export type BatchCond =
  | { type: "ok"; step: number }
  | { type: "error"; step: number }
  | { type: "not"; cond: BatchCond }
  | { type: "and"; conds: BatchCond[] }
  | { type: "or"; conds: BatchCond[] }
  | { type: "is_autocommit" };

export interface BatchStep {
  condition: BatchCond | null;
  stmt: Stmt;
}

export interface HranaError {
  message: string;
  code: string;
}

export interface Col {
  name: string | null;
  decltype: string | null;
}

export interface StmtResult {
  cols: Col[];
  rows: Value[][];
  affectedRowCount: number;
  lastInsertRowid: bigint | null;
}

export interface BatchResult {
  stepResults: (StmtResult | null)[];
  stepErrors: (HranaError | null)[];
}

export interface DescribeResult {
  params: { name: string | null }[];
  cols: { name: string; decltype: string | null }[];
  isExplain: boolean;
  isReadonly: boolean;
}

/** The client broke the protocol: answered with HTTP 400 and a plain-text message; the stream is closed. */
export class ProtocolError extends Error {
  override name = "ProtocolError";
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export function asObject(v: unknown, what: string): JsonObject {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new ProtocolError(`${what} must be a JSON object`);
  return v as JsonObject;
}

function asArray(v: unknown, what: string): Json[] {
  if (!Array.isArray(v)) throw new ProtocolError(`${what} must be an array`);
  return v as Json[];
}

function asString(v: unknown, what: string): string {
  if (typeof v !== "string") throw new ProtocolError(`${what} must be a string`);
  return v;
}

function asInt32(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) throw new ProtocolError(`${what} must be a 32-bit integer`);
  return v;
}

function asUint32(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v >= 2 ** 32) throw new ProtocolError(`${what} must be an unsigned 32-bit integer`);
  return v;
}

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

export function decodeValue(v: unknown, what: string): Value {
  const o = asObject(v, what);
  switch (o.type) {
    case "null":
      return null;
    case "integer": {
      const text = asString(o.value, `${what}.value`);
      if (!/^-?\d+$/.test(text)) throw new ProtocolError(`${what}.value must be a decimal integer string, got ${JSON.stringify(text).slice(0, 40)}`);
      const n = BigInt(text);
      if (n < I64_MIN || n > I64_MAX) throw new ProtocolError(`${what}.value ${text} does not fit in a 64-bit signed integer`);
      return n;
    }
    case "float": {
      if (typeof o.value !== "number" || !Number.isFinite(o.value)) throw new ProtocolError(`${what}.value must be a finite number`);
      return o.value;
    }
    case "text":
      return asString(o.value, `${what}.value`);
    case "blob": {
      const b64 = asString(o.base64, `${what}.base64`);
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw new ProtocolError(`${what}.base64 is not base64`);
      return new Uint8Array(Buffer.from(b64, "base64"));
    }
    default:
      throw new ProtocolError(`${what}.type must be one of null, integer, float, text, blob; got ${JSON.stringify(o.type)}`);
  }
}

export function encodeValue(v: Value): Json {
  if (v === null) return { type: "null" };
  if (typeof v === "bigint") return { type: "integer", value: v.toString() };
  if (typeof v === "number") return { type: "float", value: v };
  if (typeof v === "string") return { type: "text", value: v };
  return { type: "blob", base64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64") };
}

/** `sql` or `sql_id` (exactly one), the latter looked up in the stream's stored SQL texts. */
export function resolveSql(o: JsonObject, sqls: ReadonlyMap<number, string>, what: string): string {
  const hasSql = o.sql !== undefined && o.sql !== null;
  const hasId = o.sql_id !== undefined && o.sql_id !== null;
  if (hasSql && hasId) throw new ProtocolError(`${what} has both sql and sql_id`);
  if (hasSql) return asString(o.sql, `${what}.sql`);
  if (!hasId) throw new ProtocolError(`${what} has neither sql nor sql_id`);
  const id = asInt32(o.sql_id, `${what}.sql_id`);
  const sql = sqls.get(id);
  if (sql === undefined) throw new ProtocolError(`${what}.sql_id ${id} does not refer to a stored SQL text`);
  return sql;
}

export function decodeStmt(v: unknown, sqls: ReadonlyMap<number, string>, what: string): Stmt {
  const o = asObject(v, what);
  const args = o.args === undefined || o.args === null ? [] : asArray(o.args, `${what}.args`).map((a, i) => decodeValue(a, `${what}.args[${i}]`));
  const namedArgs =
    o.named_args === undefined || o.named_args === null
      ? []
      : asArray(o.named_args, `${what}.named_args`).map((a, i) => {
          const n = asObject(a, `${what}.named_args[${i}]`);
          return { name: asString(n.name, `${what}.named_args[${i}].name`), value: decodeValue(n.value, `${what}.named_args[${i}].value`) };
        });
  let wantRows = true;
  if (o.want_rows !== undefined && o.want_rows !== null) {
    if (typeof o.want_rows !== "boolean") throw new ProtocolError(`${what}.want_rows must be a boolean`);
    wantRows = o.want_rows;
  }
  return { sql: resolveSql(o, sqls, what), args, namedArgs, wantRows };
}

function decodeCond(v: unknown, stepIndex: number, version: Version, what: string): BatchCond {
  const o = asObject(v, what);
  switch (o.type) {
    case "ok":
    case "error": {
      const step = asUint32(o.step, `${what}.step`);
      if (step >= stepIndex) throw new ProtocolError(`${what} refers to step ${step}, which does not come before step ${stepIndex}`);
      return { type: o.type, step };
    }
    case "not":
      return { type: "not", cond: decodeCond(o.cond, stepIndex, version, `${what}.cond`) };
    case "and":
    case "or":
      return { type: o.type, conds: asArray(o.conds, `${what}.conds`).map((c, i) => decodeCond(c, stepIndex, version, `${what}.conds[${i}]`)) };
    case "is_autocommit":
      if (version < 3) throw new ProtocolError(`${what}: the is_autocommit condition needs Hrana 3 (use the v3 endpoints)`);
      return { type: "is_autocommit" };
    default:
      throw new ProtocolError(`${what}.type ${JSON.stringify(o.type)} is not a batch condition`);
  }
}

export function decodeBatch(v: unknown, sqls: ReadonlyMap<number, string>, version: Version, what: string): BatchStep[] {
  const o = asObject(v, what);
  return asArray(o.steps, `${what}.steps`).map((s, i) => {
    const step = asObject(s, `${what}.steps[${i}]`);
    const condition = step.condition === undefined || step.condition === null ? null : decodeCond(step.condition, i, version, `${what}.steps[${i}].condition`);
    return { condition, stmt: decodeStmt(step.stmt, sqls, `${what}.steps[${i}].stmt`) };
  });
}

export function decodeStoreSql(o: JsonObject, what: string): { sqlId: number; sql: string } {
  return { sqlId: asInt32(o.sql_id, `${what}.sql_id`), sql: asString(o.sql, `${what}.sql`) };
}

export function decodeSqlId(o: JsonObject, what: string): number {
  return asInt32(o.sql_id, `${what}.sql_id`);
}

export function encodeStmtResult(r: StmtResult): Json {
  return {
    cols: r.cols.map((c) => ({ name: c.name, decltype: c.decltype })),
    rows: r.rows.map((row) => row.map(encodeValue)),
    affected_row_count: r.affectedRowCount,
    last_insert_rowid: r.lastInsertRowid === null ? null : r.lastInsertRowid.toString(),
  };
}

export function encodeBatchResult(r: BatchResult): Json {
  return {
    step_results: r.stepResults.map((s) => (s === null ? null : encodeStmtResult(s))),
    step_errors: r.stepErrors.map((e) => (e === null ? null : { message: e.message, code: e.code })),
  };
}

export function encodeDescribeResult(r: DescribeResult): Json {
  return {
    params: r.params.map((p) => ({ name: p.name })),
    cols: r.cols.map((c) => ({ name: c.name, decltype: c.decltype })),
    is_explain: r.isExplain,
    is_readonly: r.isReadonly,
  };
}

/** Cursor entries (Hrana 3) carrying the same information as a batch result. */
export function cursorEntries(r: BatchResult): Json[] {
  const out: Json[] = [];
  r.stepResults.forEach((res, step) => {
    const err = r.stepErrors[step] ?? null;
    if (err !== null) {
      out.push({ type: "step_error", step, error: { message: err.message, code: err.code } });
    } else if (res !== null) {
      out.push({ type: "step_begin", step, cols: res.cols.map((c) => ({ name: c.name, decltype: c.decltype })) });
      for (const row of res.rows) out.push({ type: "row", row: row.map(encodeValue) });
      out.push({
        type: "step_end",
        affected_row_count: res.affectedRowCount,
        last_insert_rowid: res.lastInsertRowid === null ? null : res.lastInsertRowid.toString(),
      });
    }
  });
  return out;
}

// Messages between the server and a connection worker (structured clone keeps bigint/Uint8Array).
export type WorkerRequest =
  | { id: number; op: "open"; path: string; busyTimeoutMs: number }
  | { id: number; op: "close" }
  | { id: number; op: "execute"; stmt: Stmt }
  | { id: number; op: "batch"; steps: BatchStep[] }
  | { id: number; op: "sequence"; sql: string }
  | { id: number; op: "describe"; sql: string }
  | { id: number; op: "get_autocommit" };

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A request as the server hands it to a worker (the pool assigns the id). */
export type WorkerCall = DistributiveOmit<WorkerRequest, "id">;

export type WorkerReply =
  | { id: number; ok: true; result: unknown }
  /** `stmt`: the statement failed (reported to the client inside the pipeline); `internal`: server bug or crash. */
  | { id: number; ok: false; kind: "stmt" | "internal"; error: HranaError };
