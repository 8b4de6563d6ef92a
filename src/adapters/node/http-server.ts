// A small node:http adapter for a fetch-style handler (the Hono app): Node's request becomes a WHATWG
// Request, the Response is written back. Request bodies are read into memory up to `maxBodyBytes`
// (a larger one is answered 413 here, before the app sees it; up to 4x the limit is read and
// discarded first so that the uploading client gets the answer, beyond that the connection is cut); responses are written whole (the API's
// answers are small JSON documents). Loopback by default.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { attachClientAddress } from "../../http/client-address.ts";

export type FetchHandler = (request: Request) => Response | Promise<Response>;

export interface NodeServerOptions {
  fetch: FetchHandler;
  port: number;
  /** Default 127.0.0.1. */
  hostname?: string;
  /** Request bodies over this answer 413 (default 8 MiB). */
  maxBodyBytes?: number;
  /** Called with a handler failure (the client gets a JSON 500). */
  onError?: (error: unknown) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  hostname: string;
  close(): Promise<void>;
}

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };
const errorJson = (code: string, message: string, details: unknown = null) => JSON.stringify({ error: { code, message, details } });

/**
 * The body, or "too-large" once it passes `max` bytes. A too-large body is still read to its end and
 * discarded (so the client, still uploading, gets the 413 instead of a reset connection), up to
 * `drainMax` bytes; past that the connection is dropped.
 */
function readBody(req: IncomingMessage, max: number, drainMax: number): Promise<Uint8Array | "too-large" | "dropped"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > drainMax) {
        req.destroy();
        resolve("dropped");
        return;
      }
      if (size > max) chunks.length = 0;
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(size > max ? "too-large" : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

// Methods a WHATWG Request refuses to carry ("'TRACE' HTTP method is unsupported"). They reach the
// app as a body-less Request that reports the real method, so the app answers them (405 JSON with
// Allow) instead of the constructor's TypeError becoming a 500.
const FETCH_FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE", "TRACK"]);
class ForbiddenMethodRequest extends Request {
  readonly #method: string;
  constructor(url: URL, init: RequestInit, method: string) {
    super(url, { ...init, method: "GET", body: null });
    this.#method = method;
  }
  override get method(): string {
    return this.#method;
  }
}

function toRequest(req: IncomingMessage, body: Uint8Array | null, origin: string): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    // HTTP/2 pseudo-headers and hop-by-hop headers do not belong in a fetch Request.
    if (name.startsWith(":")) continue;
    try {
      headers.append(name, raw[i + 1]!);
    } catch {
      // a header value fetch refuses: leave it out
    }
  }
  const init: RequestInit = { method: req.method ?? "GET", headers };
  const url = new URL(req.url ?? "/", origin);
  if (FETCH_FORBIDDEN_METHODS.has(init.method!.toUpperCase())) return new ForbiddenMethodRequest(url, init, init.method!.toUpperCase());
  if (body !== null && init.method !== "GET" && init.method !== "HEAD") init.body = body as Uint8Array<ArrayBuffer>;
  return new Request(url, init);
}

async function writeResponse(res: ServerResponse, response: Response, head: boolean): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) headers["set-cookie"] = cookies;
  const body = head || response.body === null ? null : new Uint8Array(await response.arrayBuffer());
  if (body !== null && !("content-length" in headers)) headers["content-length"] = String(body.length);
  res.writeHead(response.status, response.statusText || undefined, headers);
  res.end(body ?? undefined);
}

export function startNodeServer(options: NodeServerOptions): Promise<RunningServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const max = options.maxBodyBytes ?? 8 * 1024 * 1024;
  const drainMax = 4 * max;
  let origin = `http://${hostname}`;
  const server = createServer((req, res) => {
    void (async () => {
      try {
        let body: Uint8Array | null = null;
        if (req.method !== "GET" && req.method !== "HEAD") {
          const declared = Number(req.headers["content-length"] ?? "0");
          const read = declared > drainMax ? "dropped" : await readBody(req, max, drainMax);
          if (read === "too-large" || read === "dropped") {
            res.writeHead(413, { ...JSON_HEADERS, connection: "close" });
            res.end(errorJson("payload_too_large", `the request body is larger than ${max} bytes`, { max_bytes: max }));
            if (read === "dropped") req.destroy();
            return;
          }
          body = read;
        }
        const response = await options.fetch(attachClientAddress(toRequest(req, body, origin), req.socket.remoteAddress));
        await writeResponse(res, response, req.method === "HEAD");
      } catch (e) {
        options.onError?.(e);
        if (!res.headersSent) {
          res.writeHead(500, JSON_HEADERS);
          res.end(errorJson("internal", "internal error"));
        } else res.destroy();
      }
    })();
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, hostname, () => {
      server.off("error", reject);
      const port = (server.address() as AddressInfo).port;
      const host = hostname.includes(":") ? `[${hostname}]` : hostname;
      origin = `http://${host}:${port}`;
      resolve({
        url: origin,
        port,
        hostname,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((e) => (e ? fail(e) : done()));
            server.closeAllConnections();
          }),
      });
    });
  });
}
