// A Hrana-over-HTTP server on a local libSQL file: dev and test tooling (NOT product code), so that
// @libsql/client/web, the Worker under `wrangler dev` and the workerd tests can use a real database
// where no sqld / Turso server can be installed.
//
// What @libsql/client 0.18 (@libsql/hrana-client 0.10) uses, and therefore what this implements:
//   - protocol version 2 over JSON: POST /v2/pipeline. The client does not probe versions by default
//     (openHttp(..., protocolVersion = 2)); when asked for version 3 it probes only GET /v3-protobuf,
//     which this server answers 404 (no protobuf), so such a client falls back to v2 as well.
//   - stream requests: execute, batch (conditions ok/error/not/and/or), sequence (executeMultiple),
//     store_sql / close_sql (its SQL cache, per stream, at most 50 texts of at most 5 kB), describe,
//     close; batons for interactive transactions; base_url is always null.
//   - Hrana 3 JSON is also served (GET /v3, POST /v3/pipeline with get_autocommit and the
//     is_autocommit condition, POST /v3/cursor) for clients that use it.
// Values: integers as decimal strings (64-bit exact), floats as JSON numbers, text, blobs as base64,
// null. Errors inside a pipeline are {message, code} with sqld's codes (SQLITE_CONSTRAINT, ...,
// ARGS_INVALID, SQL_MANY_STATEMENTS); protocol violations are HTTP 400 text/plain; an expired stream
// is HTTP 500 JSON {code: STREAM_EXPIRED}; a wrong or missing bearer token is HTTP 401.
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ConnectionPool } from "./connection-pool.ts";
import type { ConnectionWorker } from "./connection-pool.ts";
import {
  ProtocolError,
  asObject,
  cursorEntries,
  decodeBatch,
  decodeSqlId,
  decodeStmt,
  decodeStoreSql,
  encodeBatchResult,
  encodeDescribeResult,
  encodeStmtResult,
  resolveSql,
} from "./protocol.ts";
import type { BatchResult, DescribeResult, StmtResult, Version, WorkerCall, WorkerReply } from "./protocol.ts";
import { StreamExpiredError, StreamTable } from "./streams.ts";
import type { Stream } from "./streams.ts";

export interface HranaDevServerOptions {
  /** The libSQL/SQLite file to serve (created if missing). */
  dbPath: string;
  /** 0 picks a free port. Default 8080 (wrangler.toml's LIBSQL_URL). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** When set, every request except GET /health needs `Authorization: Bearer <token>`. */
  token?: string;
  /** How long a statement waits for a lock held by another stream. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** Idle streams are closed (rolled back) after this. Default 10 s, like sqld. */
  streamExpiryMs?: number;
  /** Streams open at once (one worker thread each). Default 32. */
  maxStreams?: number;
  /** Put the file in WAL mode at start (default true, like the product's embedded database). */
  wal?: boolean;
  /** Request log and secondary failures. Default: silent. Never given the token. */
  log?: (line: string) => void;
}

export interface HranaDevServer {
  /** http://host:port */
  url: string;
  port: number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024 * 1024;
const MAX_STORED_SQL = 50;
const MAX_STORED_SQL_BYTES = 5000;

type Json = unknown;

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** The server itself failed (a crashed worker, a bug): HTTP 500 JSON. */
class InternalError extends Error {}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "content-type": "text/plain", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function sendJson(res: ServerResponse, status: number, body: Json): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parseJson(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch (e) {
    throw new ProtocolError(`request body is not valid JSON: ${(e as Error).message}`);
  }
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

export async function startHranaDevServer(options: HranaDevServerOptions): Promise<HranaDevServer> {
  const log = options.log ?? (() => {});
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  const pool = new ConnectionPool(options.maxStreams ?? 32);
  const streams = new StreamTable({ pool, dbPath: options.dbPath, busyTimeoutMs, expiryMs: options.streamExpiryMs ?? 10_000, log });
  const tokenDigest = options.token ? digest(options.token) : undefined;

  // Fail at start, with the path in the message, if the file cannot be opened; switch it to WAL.
  {
    const stream = await streams.acquire(null).catch(async (e: Error) => {
      await pool.close();
      throw new Error(`hrana dev server: cannot open ${options.dbPath}: ${e.message}`);
    });
    if (options.wal ?? true) {
      const reply = await stream.worker!.call({ op: "sequence", sql: "PRAGMA journal_mode = WAL" });
      if (!reply.ok) log(`could not switch ${options.dbPath} to WAL: ${reply.error.message}`);
    }
    await streams.closeConnection(stream);
    streams.release(stream);
  }

  function authorized(req: IncomingMessage): boolean {
    if (!tokenDigest) return true;
    const header = req.headers.authorization ?? "";
    const match = /^Bearer\s+(.+)$/i.exec(header);
    return match !== null && timingSafeEqual(digest(match[1]!.trim()), tokenDigest);
  }

  async function call(stream: Stream, msg: Exclude<WorkerCall, { op: "open" | "close" }>): Promise<WorkerReply> {
    const worker: ConnectionWorker | null = stream.worker;
    if (worker === null) throw new ProtocolError("The stream was closed by an earlier `close` request; open a new stream (no baton)");
    let reply: WorkerReply;
    try {
      reply = await worker.call(msg);
    } catch (e) {
      throw new InternalError((e as Error).message);
    }
    if (!reply.ok && reply.kind === "internal") throw new InternalError(reply.error.message);
    return reply;
  }

  const ok = (response: Json) => ({ type: "ok", response });
  const err = (reply: Extract<WorkerReply, { ok: false }>) => ({ type: "error", error: { message: reply.error.message, code: reply.error.code } });

  async function handleStreamRequest(stream: Stream, request: Json, version: Version, what: string): Promise<Json> {
    const o = asObject(request, what);
    switch (o.type) {
      case "close":
        await streams.closeConnection(stream);
        return ok({ type: "close" });
      case "execute": {
        const reply = await call(stream, { op: "execute", stmt: decodeStmt(o.stmt, stream.sqls, `${what}.stmt`) });
        return reply.ok ? ok({ type: "execute", result: encodeStmtResult(reply.result as StmtResult) }) : err(reply);
      }
      case "batch": {
        const reply = await call(stream, { op: "batch", steps: decodeBatch(o.batch, stream.sqls, version, `${what}.batch`) });
        return reply.ok ? ok({ type: "batch", result: encodeBatchResult(reply.result as BatchResult) }) : err(reply);
      }
      case "sequence": {
        const reply = await call(stream, { op: "sequence", sql: resolveSql(o, stream.sqls, what) });
        return reply.ok ? ok({ type: "sequence" }) : err(reply);
      }
      case "describe": {
        const reply = await call(stream, { op: "describe", sql: resolveSql(o, stream.sqls, what) });
        return reply.ok ? ok({ type: "describe", result: encodeDescribeResult(reply.result as DescribeResult) }) : err(reply);
      }
      case "store_sql": {
        const { sqlId, sql } = decodeStoreSql(o, what);
        if (stream.sqls.has(sqlId)) throw new ProtocolError(`${what}: sql_id ${sqlId} is already in use on this stream`);
        if (stream.sqls.size >= MAX_STORED_SQL) {
          return {
            type: "error",
            error: { message: `The server already stores ${stream.sqls.size} SQL texts, it cannot store more`, code: "SQL_STORE_TOO_MANY" },
          };
        }
        const bytes = Buffer.byteLength(sql);
        if (bytes > MAX_STORED_SQL_BYTES) {
          return {
            type: "error",
            error: { message: `The statement is too large to be stored: ${bytes}/${MAX_STORED_SQL_BYTES} bytes`, code: "SQL_STORE_TOO_LARGE" },
          };
        }
        stream.sqls.set(sqlId, sql);
        return ok({ type: "store_sql" });
      }
      case "close_sql":
        stream.sqls.delete(decodeSqlId(o, what));
        return ok({ type: "close_sql" });
      case "get_autocommit": {
        if (version < 3) throw new ProtocolError(`${what}: get_autocommit needs Hrana 3 (use the v3 endpoints)`);
        const reply = await call(stream, { op: "get_autocommit" });
        return reply.ok ? ok({ type: "get_autocommit", is_autocommit: reply.result as boolean }) : err(reply);
      }
      default:
        throw new ProtocolError(`${what}.type ${JSON.stringify(o.type)} is not a known stream request`);
    }
  }

  const KNOWN_REQUESTS = new Set(["close", "execute", "batch", "sequence", "describe", "store_sql", "close_sql", "get_autocommit"]);

  async function pipeline(version: Version, body: Json): Promise<Json> {
    const o = asObject(body, "request body");
    if (o.baton !== undefined && o.baton !== null && typeof o.baton !== "string") throw new ProtocolError("baton must be a string or null");
    if (!Array.isArray(o.requests)) throw new ProtocolError("requests must be an array");
    const requests = o.requests as Json[];
    // Refuse structurally broken pipelines before executing anything.
    requests.forEach((r, i) => {
      const type = asObject(r, `requests[${i}]`).type;
      if (typeof type !== "string" || !KNOWN_REQUESTS.has(type))
        throw new ProtocolError(`requests[${i}].type ${JSON.stringify(type)} is not a known stream request`);
    });
    const stream = await streams.acquire((o.baton as string | null | undefined) ?? null);
    try {
      const results: Json[] = [];
      for (const [i, r] of requests.entries()) results.push(await handleStreamRequest(stream, r, version, `requests[${i}]`));
      return { baton: streams.release(stream), base_url: null, results };
    } catch (e) {
      await streams.destroy(stream);
      throw e;
    }
  }

  async function cursor(body: Json): Promise<string> {
    const o = asObject(body, "request body");
    if (o.baton !== undefined && o.baton !== null && typeof o.baton !== "string") throw new ProtocolError("baton must be a string or null");
    const stream = await streams.acquire((o.baton as string | null | undefined) ?? null);
    try {
      const reply = await call(stream, { op: "batch", steps: decodeBatch(o.batch, stream.sqls, 3, "batch") });
      const entries = reply.ok ? cursorEntries(reply.result as BatchResult) : [{ type: "error", error: reply.error }];
      const head = { baton: streams.release(stream), base_url: null };
      return [head, ...entries].map((x) => JSON.stringify(x) + "\n").join("");
    } catch (e) {
      await streams.destroy(stream);
      throw e;
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://localhost").pathname.replace(/\/+$/, "") || "/";
    const method = req.method ?? "GET";
    if (method === "GET" && path === "/health") return sendText(res, 200, "ok");
    if (!authorized(req)) {
      return sendText(res, 401, options.token ? "Unauthorized: send the server's token as `Authorization: Bearer <token>`" : "Unauthorized");
    }
    if (method === "GET") {
      if (path === "/") return sendText(res, 200, "Hello, this is the nalssi Hrana dev server (Hrana over HTTP, v2 and v3 JSON)");
      if (path === "/v2" || path === "/v3") return sendText(res, 200, `Hrana ${path.slice(2)} over HTTP (JSON) is supported`);
      if (path === "/v3-protobuf") return sendText(res, 404, "Hrana 3 with Protobuf is not supported by this dev server; use JSON (v2 or v3)");
    }
    if (method === "POST") {
      if (path === "/v2/pipeline" || path === "/v3/pipeline") {
        const out = await pipeline(path === "/v2/pipeline" ? 2 : 3, parseJson(await readBody(req)));
        return sendJson(res, 200, out);
      }
      if (path === "/v3/cursor") {
        const text = await cursor(parseJson(await readBody(req)));
        res.writeHead(200, { "content-type": "text/plain", "content-length": Buffer.byteLength(text) });
        res.end(text);
        return;
      }
      if (path.startsWith("/v3-protobuf/")) return sendText(res, 404, "Hrana 3 with Protobuf is not supported by this dev server; use JSON (v2 or v3)");
    }
    return sendText(res, 404, `no such endpoint: ${method} ${path}`);
  }

  const server = createServer((req, res) => {
    const started = Date.now();
    route(req, res)
      .catch((e: unknown) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        if (e instanceof ProtocolError) return sendText(res, 400, e.message);
        if (e instanceof HttpError) return sendText(res, e.status, e.message);
        if (e instanceof StreamExpiredError) return sendJson(res, 500, { message: e.message, code: e.code });
        const message = e instanceof Error ? e.message : String(e);
        log(`internal error: ${message}`);
        return sendJson(res, 500, { message: `Internal error in the Hrana dev server: ${message}`, code: "INTERNAL" });
      })
      .finally(() => log(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started}ms`));
  });
  server.keepAliveTimeout = 5_000;

  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8080, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await streams.closeAll();
        await pool.close();
      })();
      return closing;
    },
  };
}
