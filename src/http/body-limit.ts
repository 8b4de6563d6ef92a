// The request-body limit, answered 413 payload_too_large. Hono's bodyLimit reads `request.body` on
// every request, which on Node makes @hono/node-server build a full WHATWG Request with a body stream
// (the slowest part of a small POST). Here only a chunked body (no Content-Length) goes through
// Hono's counting stream; GET/HEAD pass and a declared length is checked from the header alone, so
// the JSON validator later reads the body on the adapter's fast path.
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ApiError } from "./api-errors.ts";

export function requestBodyLimit(maxBytes: number): MiddlewareHandler {
  const tooLarge = (): never => {
    throw new ApiError(413, "payload_too_large", `the request body is larger than ${maxBytes} bytes`, { max_bytes: maxBytes });
  };
  const streamed = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return (c, next) => {
    const method = c.req.method;
    if (method === "GET" || method === "HEAD") return next();
    const declared = c.req.header("content-length");
    if (declared !== undefined && c.req.header("transfer-encoding") === undefined) {
      if (!/^\d+$/.test(declared.trim()) || Number(declared) > maxBytes) tooLarge();
      return next();
    }
    return streamed(c, next);
  };
}
