// Admin routes: a bearer token compared in constant time with the ADMIN_TOKEN secret. No token
// configured: the admin routes do not exist (404). No token sent: 401. Wrong token: 403.
import type { MiddlewareHandler } from "hono";
import { ApiError } from "./api-errors.ts";

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

/**
 * Whether `given` equals `expected`, in time that depends on neither's content nor length: both are
 * hashed (fixed 32 bytes) and the digests compared with no early exit.
 */
export async function constantTimeEqual(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([digest(given), digest(expected)]);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export function adminAuth(token: string | undefined): MiddlewareHandler {
  const expected = token?.trim() ? token.trim() : undefined;
  return async (c, next) => {
    if (expected === undefined) throw new ApiError(404, "not_found", `no route for ${c.req.method} ${new URL(c.req.url).pathname}`);
    const header = c.req.header("authorization") ?? "";
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (!m) {
      c.header("WWW-Authenticate", 'Bearer realm="nalssi admin"');
      throw new ApiError(401, "unauthorized", header ? "the Authorization header must be `Bearer <token>`" : "admin routes need `Authorization: Bearer <ADMIN_TOKEN>`");
    }
    if (!(await constantTimeEqual(m[1]!, expected))) throw new ApiError(403, "forbidden", "the bearer token is not the admin token");
    await next();
  };
}
