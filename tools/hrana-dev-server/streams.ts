// Hrana-over-HTTP streams and batons (modelled on sqld's hrana/http/stream.rs).
// A stream is a SQLite connection on a leased worker plus the SQL texts stored on it. Each response
// carries a new baton (stream id + sequence number + HMAC), and the next request on the stream must
// present exactly that baton: requests on a stream are serial, old batons are refused, forged ones
// fail the MAC. Streams not used for `expiryMs` are expired (their connection closed, which rolls
// back an open transaction); their batons then get "stream expired" for a while, not "invalid".
import { createHmac, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import type { ConnectionPool, ConnectionWorker } from "./connection-pool.ts";
import { ProtocolError } from "./protocol.ts";

export class StreamExpiredError extends Error {
  override name = "StreamExpiredError";
  readonly code = "STREAM_EXPIRED";
}

export interface Stream {
  readonly id: string;
  seq: number;
  /** null after a `close` request: the stream ends with this pipeline. */
  worker: ConnectionWorker | null;
  readonly sqls: Map<number, string>;
}

type Handle =
  | { state: "available"; stream: Stream; timer: ReturnType<typeof setTimeout> }
  | { state: "acquired" }
  | { state: "expired"; timer: ReturnType<typeof setTimeout> };

export interface StreamTableOptions {
  pool: ConnectionPool;
  dbPath: string;
  busyTimeoutMs: number;
  expiryMs: number;
  /** How long an expired stream's baton still answers "expired" (default 5 minutes). */
  cleanupMs?: number;
  /** Where secondary failures (closing a connection while handling another error) are reported. */
  log: (line: string) => void;
}

export class StreamTable {
  readonly #key = randomBytes(32);
  readonly #handles = new Map<string, Handle>();
  readonly #options: StreamTableOptions;

  constructor(options: StreamTableOptions) {
    this.#options = options;
  }

  get openStreams(): number {
    let n = 0;
    for (const h of this.#handles.values()) if (h.state !== "expired") n++;
    return n;
  }

  #mac(id: string, seq: number): string {
    return createHmac("sha256", this.#key).update(`${id}.${seq}`).digest("base64url");
  }

  #baton(stream: Stream): string {
    return `${stream.id}.${stream.seq}.${this.#mac(stream.id, stream.seq)}`;
  }

  /** A new stream (baton null) or the stream the baton names, for the duration of one request. */
  async acquire(baton: string | null): Promise<Stream> {
    if (baton === null) {
      const worker = await this.#options.pool.acquire();
      const reply = await worker.call({ op: "open", path: this.#options.dbPath, busyTimeoutMs: this.#options.busyTimeoutMs }).catch((e: Error) => {
        this.#options.pool.release(worker);
        throw e;
      });
      if (!reply.ok) {
        this.#options.pool.release(worker);
        throw new Error(`could not open the database: ${reply.error.message}`);
      }
      const stream: Stream = { id: randomBytes(16).toString("hex"), seq: randomInt(0, 2 ** 31), worker, sqls: new Map() };
      this.#handles.set(stream.id, { state: "acquired" });
      return stream;
    }
    const parts = baton.split(".");
    const [id, seqText, mac] = parts;
    const seq = Number(seqText);
    if (parts.length !== 3 || !id || !mac || !Number.isSafeInteger(seq)) throw new ProtocolError("The baton is invalid (malformed)");
    const expected = Buffer.from(this.#mac(id, seq));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      throw new ProtocolError("The baton is invalid (it was not issued by this server)");
    const handle = this.#handles.get(id);
    if (handle === undefined) throw new ProtocolError("The baton is invalid: its stream is closed (or the server restarted)");
    if (handle.state === "acquired")
      throw new ProtocolError("The baton was reused: a request on this stream is still running; requests on a stream must be sequential");
    if (handle.state === "expired") throw new StreamExpiredError("The stream has expired due to inactivity");
    if (handle.stream.seq !== seq) throw new ProtocolError("The baton was reused: each baton is valid for one request only");
    clearTimeout(handle.timer);
    this.#handles.set(id, { state: "acquired" });
    handle.stream.seq++;
    return handle.stream;
  }

  /** Ends the request: the baton for the next one, or null when the stream was closed. */
  release(stream: Stream): string | null {
    if (stream.worker === null) {
      this.#handles.delete(stream.id);
      return null;
    }
    const timer = setTimeout(() => void this.#expire(stream), this.#options.expiryMs);
    timer.unref();
    this.#handles.set(stream.id, { state: "available", stream, timer });
    return this.#baton(stream);
  }

  async #expire(stream: Stream): Promise<void> {
    const handle = this.#handles.get(stream.id);
    if (handle?.state !== "available" || handle.stream !== stream) return;
    const timer = setTimeout(() => this.#handles.delete(stream.id), this.#options.cleanupMs ?? 300_000);
    timer.unref();
    this.#handles.set(stream.id, { state: "expired", timer });
    await this.closeConnection(stream).catch((e: Error) => this.#options.log(`closing expired stream failed: ${e.message}`));
  }

  /** Closes the stream's connection (a `close` request); an open transaction is rolled back. */
  async closeConnection(stream: Stream): Promise<void> {
    const worker = stream.worker;
    if (worker === null) return;
    stream.worker = null;
    try {
      const reply = await worker.call({ op: "close" });
      if (!reply.ok) this.#options.log(`closing stream ${stream.id.slice(0, 8)}: ${reply.error.message}`);
    } finally {
      this.#options.pool.release(worker);
    }
  }

  /** Drops a stream after a failed request (sqld does the same). */
  async destroy(stream: Stream): Promise<void> {
    this.#handles.delete(stream.id);
    await this.closeConnection(stream).catch((e: Error) => this.#options.log(`closing a failed stream failed: ${e.message}`));
  }

  async closeAll(): Promise<void> {
    const closing: Promise<void>[] = [];
    for (const [id, h] of this.#handles) {
      if (h.state === "available") {
        clearTimeout(h.timer);
        closing.push(this.closeConnection(h.stream).catch((e: Error) => this.#options.log(`closing a stream at shutdown failed: ${e.message}`)));
      } else if (h.state === "expired") {
        clearTimeout(h.timer);
      }
      this.#handles.delete(id);
    }
    await Promise.all(closing);
  }
}
