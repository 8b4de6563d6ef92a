// The Node HTTP server for a fetch-style handler (the Hono app), on @hono/node-server's request
// listener: it hands the app a lightweight Request (headers and body converted only when the app reads
// them) and writes a Response built from a string or bytes straight to the socket, without a
// ReadableStream round trip. This module adds what a public API server needs around it:
//   - request bodies: the app's body limit answers 413 (from Content-Length before reading, or once a
//     chunked body passes it); the listener then reads and discards the rest (up to 64 MiB or a few
//     seconds) so the uploading client reads the 413 instead of a reset connection. With
//     `Expect: 100-continue` and a declared length over `maxBodyBytes`, the 413 goes out instead of
//     the 100, so the body is never sent.
//   - Node's own parser errors (a header section over 16 KiB, a method Node does not know, a
//     malformed request line) answer JSON {"error": {...}} (431 / 400) before the connection closes.
//   - a handler failure answers a JSON 500 and is reported to `onError`.
//   - close(): stop accepting, let in-flight requests finish (up to `drainMs`), then cut the rest.
// Loopback by default.
import { createServer, type IncomingMessage, type ServerResponse, STATUS_CODES } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { attachClientAddress } from "../../http/client-address.ts";

export type FetchHandler = (request: Request) => Response | Promise<Response>;

export interface NodeServerOptions {
  fetch: FetchHandler;
  port: number;
  /** Default 127.0.0.1. */
  hostname?: string;
  /** Declared bodies over this are refused before `100 Continue` (default 8 MiB; the app enforces its own limit on every body). */
  maxBodyBytes?: number;
  /** Called with a handler failure (the client gets a JSON 500). */
  onError?: (error: unknown) => void;
  /** close() waits this long for in-flight requests before cutting connections (default 10 s). */
  drainMs?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  hostname: string;
  close(): Promise<void>;
}

const JSON_TYPE = "application/json; charset=utf-8";
const errorJson = (code: string, message: string, details: unknown = null) => JSON.stringify({ error: { code, message, details } });

/** The answer to a request Node's HTTP parser refused (the app never sees it). */
export function clientErrorAnswer(code: string | undefined): { status: number; body: string } {
  switch (code) {
    case "HPE_HEADER_OVERFLOW":
      return {
        status: 431,
        body: errorJson("headers_too_large", "the request line and headers are larger than 16 KiB (a query string that long belongs in a POST body)"),
      };
    case "HPE_INVALID_METHOD":
      return { status: 400, body: errorJson("bad_request", "unknown HTTP method") };
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return { status: 408, body: errorJson("request_timeout", "the request was not received in time") };
    default:
      return { status: 400, body: errorJson("bad_request", "malformed HTTP request") };
  }
}

function onClientError(error: Error & { code?: string }, socket: Socket): void {
  // Nothing to answer on a dead socket, or once a response has started on it.
  if (error.code === "ECONNRESET" || !socket.writable || (socket as Socket & { _httpMessage?: unknown })._httpMessage) {
    socket.destroy();
    return;
  }
  const { status, body } = clientErrorAnswer(error.code);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: ${JSON_TYPE}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** The request each connection is on (to tell whether its body is still arriving). */
const current = new WeakMap<Socket, IncomingMessage>();
const LINGER_MS = 5_000;
const LINGER_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Node ends a `connection: close` answer with socket.destroySoon(): once the answer is written, the
 * socket is destroyed, and with request bytes still unread the kernel resets the connection, so a
 * client still uploading (a body refused with 413) gets ECONNRESET/EPIPE instead of the answer. Here
 * such a socket closes the way web servers do it ("lingering close"): send FIN after the answer, read
 * and discard what the client still sends until it closes its side, for at most LINGER_MS and
 * LINGER_MAX_BYTES, then destroy.
 */
function lingerOnEarlyAnswer(socket: Socket): void {
  const s = socket as Socket & { destroySoon(): void };
  const destroySoon = s.destroySoon;
  s.destroySoon = function (this: Socket & { destroySoon(): void }) {
    const req = current.get(this);
    if (!req || req.complete || this.destroyed) return destroySoon.call(this);
    let discarded = 0;
    const timer = setTimeout(() => this.destroy(), LINGER_MS);
    timer.unref();
    this.once("close", () => clearTimeout(timer));
    this.on("data", (d: Buffer) => {
      discarded += d.length;
      if (discarded > LINGER_MAX_BYTES) this.destroy();
    });
    // Whatever was reading the body (the app's stream, paused once its queue is full) is done with it.
    req.removeAllListeners("data");
    req.removeAllListeners("readable");
    req.resume();
    this.end();
  };
}

export function startNodeServer(options: NodeServerOptions): Promise<RunningServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const max = options.maxBodyBytes ?? 8 * 1024 * 1024;
  const internal = () => new Response(errorJson("internal", "internal error"), { status: 500, headers: { "content-type": JSON_TYPE } });
  const fail = (e: unknown) => {
    options.onError?.(e);
    return internal();
  };
  const fetch = (request: Request, env?: { incoming?: { socket: { remoteAddress?: string | undefined } } }): Response | Promise<Response> => {
    try {
      // The socket's address (not a header a client can set) keys the per-client admin failure budget.
      const r = options.fetch(attachClientAddress(request, env?.incoming?.socket.remoteAddress));
      return r instanceof Promise ? r.catch(fail) : r;
    } catch (e) {
      return fail(e);
    }
  };
  const listener = getRequestListener(fetch, { errorHandler: (e) => fail(e) }) as (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  let closing = false;
  const inFlight = new Set<ServerResponse>();
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    current.set(req.socket, req);
    if (closing) res.shouldKeepAlive = false;
    inFlight.add(res);
    res.once("close", () => inFlight.delete(res));
    void listener(req, res);
  };
  const server = createServer({ keepAliveTimeout: 5_000 }, handle);
  server.on("connection", lingerOnEarlyAnswer);
  server.on("checkContinue", (req: IncomingMessage, res: ServerResponse) => {
    // Refuse a declared body over the limit instead of inviting it; the app answers the 413 from the header.
    if (Number(req.headers["content-length"] ?? 0) <= max) res.writeContinue();
    handle(req, res);
  });
  server.on("clientError", onClientError);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, hostname, () => {
      server.off("error", reject);
      const port = (server.address() as AddressInfo).port;
      const host = hostname.includes(":") ? `[${hostname}]` : hostname;
      resolve({
        url: `http://${host}:${port}`,
        port,
        hostname,
        close: () =>
          new Promise<void>((done, fail) => {
            // Idle keep-alive connections go now; busy ones finish their request first, for at most
            // drainMs. The timer is not unref'd: a connection still draining a refused body may not
            // hold the event loop by itself, and the process must not exit before the close is done.
            const cut = setTimeout(() => server.closeAllConnections(), options.drainMs ?? 10_000);
            closing = true;
            // In-flight answers say `connection: close` and end their connection.
            for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
            server.close((e) => {
              clearTimeout(cut);
              if (e) fail(e);
              else done();
            });
            server.closeIdleConnections();
          }),
      });
    });
  });
}
