// The Node HTTP server around a Hono app with the API's body limit: bodies far over the limit get
// their JSON 413 and the connection is not reset while the client is still sending (50 MB, chunked or
// declared, with and without Expect: 100-continue); requests Node's parser refuses get JSON too;
// close() lets an in-flight request finish.
import { connect } from "node:net";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toErrorResponse } from "../../http/api-errors.ts";
import { requestBodyLimit } from "../../http/body-limit.ts";
import { type RunningServer, startNodeServer } from "./http-server.ts";

const LIMIT = 1024 * 1024;
const BIG = 50 * 1024 * 1024;

function app(): Hono {
  const a = new Hono();
  a.use("*", requestBodyLimit(LIMIT));
  a.post("/echo", async (c) => c.json({ bytes: (await c.req.text()).length }));
  a.get("/slow", async (c) => {
    await new Promise((r) => setTimeout(r, 300));
    return c.json({ ok: true });
  });
  a.onError((e, c) => {
    const { status, body } = toErrorResponse(e);
    return c.json(body, status);
  });
  return a;
}

let server: RunningServer;
beforeAll(async () => {
  const a = app();
  server = await startNodeServer({ fetch: (r) => a.fetch(r), port: 0, maxBodyBytes: LIMIT });
});
afterAll(() => server.close());

interface RawAnswer {
  status: number;
  head: string;
  body: string;
  sent: number;
  error: string | null;
}

/**
 * Sends `head`, then `total` bytes of body (chunked framing when `chunked`) as fast as the socket
 * takes them, unless `waitForContinue` and the server answers first; reads whatever comes back.
 */
function raw(head: string, total: number, opts: { chunked: boolean; waitForContinue?: boolean }): Promise<RawAnswer> {
  return new Promise((resolve) => {
    // allowHalfOpen: keep sending after the server's FIN, the most stubborn client there is.
    const socket = connect({ port: server.port, host: "127.0.0.1", allowHalfOpen: true });
    let received = "";
    let sent = 0;
    let error: string | null = null;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const frame = opts.chunked ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")]) : chunk;
    let waiting = opts.waitForContinue === true;
    const pump = () => {
      while (sent < total && !socket.destroyed) {
        sent += chunk.length;
        if (!socket.write(frame)) return void socket.once("drain", pump);
      }
      if (sent >= total && !socket.destroyed) socket.end(opts.chunked ? "0\r\n\r\n" : "");
    };
    socket.on("data", (d: Buffer) => {
      received += d.toString("latin1");
      if (waiting) {
        if (/^HTTP\/1\.1 100 /.test(received)) {
          waiting = false;
          received = received.replace(/^HTTP\/1\.1 100 [^\r]*\r\n\r\n/, "");
          pump();
        } else if (/^HTTP\/1\.1 [2-5]\d\d /.test(received)) {
          // A final answer instead of 100: the body is not sent; the client is done.
          waiting = false;
          socket.end();
        }
      }
    });
    socket.on("error", (e) => (error = (e as NodeJS.ErrnoException).code ?? e.message));
    socket.on("close", () => {
      const [h = "", b = ""] = received.split("\r\n\r\n");
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(h)?.[1] ?? 0), head: h, body: b, sent, error });
    });
    socket.write(head);
    if (!opts.waitForContinue) pump();
    // Ask the server to close once it has answered (as a client done with the connection would).
    socket.setTimeout(15_000, () => socket.destroy());
  });
}

const head = (extra: string) => `POST /echo HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nconnection: close\r\n${extra}\r\n`;

describe("startNodeServer", () => {
  it("answers a body within the limit, declared or chunked", async () => {
    const declared = await fetch(`${server.url}/echo`, { method: "POST", body: "x".repeat(1000) });
    expect(await declared.json()).toEqual({ bytes: 1000 });
    const chunked = await raw(head("transfer-encoding: chunked\r\n"), 128 * 1024, { chunked: true });
    expect(chunked.status).toBe(200);
    expect(JSON.parse(chunked.body.replace(/^[0-9a-f]+\r\n/, "").replace(/\r\n0\r\n$/, ""))).toEqual({ bytes: 128 * 1024 });
  });

  for (const expectContinue of [false, true]) {
    it(`answers a 50 MB chunked body with a JSON 413 and no reset${expectContinue ? " (Expect: 100-continue)" : ""}`, async () => {
      const r = await raw(head(`transfer-encoding: chunked\r\n${expectContinue ? "expect: 100-continue\r\n" : ""}`), BIG, {
        chunked: true,
        waitForContinue: expectContinue,
      });
      expect(r.error).toBeNull();
      expect(r.status).toBe(413);
      expect(r.head.toLowerCase()).toContain("content-type: application/json");
      expect(JSON.parse(r.body)).toMatchObject({ error: { code: "payload_too_large", details: { max_bytes: LIMIT } } });
      expect(r.sent).toBeGreaterThanOrEqual(BIG);
    });
  }

  it("answers a declared 50 MB body with a JSON 413 while the client sends it all, no reset", async () => {
    const r = await raw(head(`content-length: ${BIG}\r\n`), BIG, { chunked: false });
    expect(r.error).toBeNull();
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body).error.code).toBe("payload_too_large");
  });

  it("with Expect: 100-continue and a declared length over the limit, answers 413 instead of 100", async () => {
    const r = await raw(head(`content-length: ${BIG}\r\nexpect: 100-continue\r\n`), BIG, { chunked: false, waitForContinue: true });
    expect(r.status).toBe(413);
    expect(r.sent).toBe(0);
    expect(JSON.parse(r.body).error.code).toBe("payload_too_large");
  });

  it("answers JSON to requests Node's parser refuses: 431 for a 20 KB query, 400 for an unknown method", async () => {
    const long = await raw(`GET /echo?q=${"a".repeat(20_000)} HTTP/1.1\r\nhost: x\r\n\r\n`, 0, { chunked: false });
    expect(long.status).toBe(431);
    expect(JSON.parse(long.body).error.code).toBe("headers_too_large");
    const foo = await raw(`FOO /echo HTTP/1.1\r\nhost: x\r\n\r\n`, 0, { chunked: false });
    expect(foo.status).toBe(400);
    expect(foo.head.toLowerCase()).toContain("content-type: application/json");
    expect(JSON.parse(foo.body).error.code).toBe("bad_request");
  });

  it("close() lets an in-flight request finish", async () => {
    const a = app();
    const s = await startNodeServer({ fetch: (r) => a.fetch(r), port: 0 });
    const pending = fetch(`${s.url}/slow`);
    await new Promise((r) => setTimeout(r, 50));
    await s.close();
    const res = await pending;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });
});
