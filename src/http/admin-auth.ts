// Admin routes: a bearer token compared in constant time with the ADMIN_TOKEN secret. No token
// configured: the admin routes do not exist (404). No token sent: 401. Wrong token: 403, and each
// wrong token spends the client's small failure budget: once it is spent, 429 with Retry-After
// (checked before the comparison, so guessing is slowed to the refill rate). A configured token
// shorter than MIN_ADMIN_TOKEN_LENGTH: `nalssi serve`/`start` refuse to start; an app built with
// one anyway (the Worker) answers 503 on the admin routes and serves the rest.
import type { MiddlewareHandler } from "hono";
import { ApiError } from "./api-errors.ts";
import { clientAddressOf } from "./client-address.ts";
import { FailureBudget, type FailureBudgetOptions } from "./failure-budget.ts";

export const MIN_ADMIN_TOKEN_LENGTH = 32;
/** 10 wrong tokens in a burst, then one every 6 s (10 a minute) per client. */
export const ADMIN_FAILURE_BUDGET: FailureBudgetOptions = { burst: 10, refillMs: 6_000 };

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

/** Why this ADMIN_TOKEN must not be used (one line, never the token), or undefined when it is fine. */
export function adminTokenProblem(token: string | undefined): string | undefined {
  const t = token?.trim();
  if (!t || t.length >= MIN_ADMIN_TOKEN_LENGTH) return undefined;
  return `ADMIN_TOKEN is ${t.length} characters; use at least ${MIN_ADMIN_TOKEN_LENGTH} random ones (e.g. \`openssl rand -hex 32\`), or unset it to disable the admin routes`;
}

export interface AdminAuthOptions {
  budget?: FailureBudget;
  /** Read the client from cf-connecting-ip (default: when running in Workers); otherwise only the adapter's address counts. */
  workers?: boolean;
}

export function adminAuth(token: string | undefined, o: AdminAuthOptions = {}): MiddlewareHandler {
  const expected = token?.trim() ? token.trim() : undefined;
  const weak = adminTokenProblem(expected);
  const budget = o.budget ?? new FailureBudget(ADMIN_FAILURE_BUDGET);
  return async (c, next) => {
    if (expected === undefined) throw new ApiError(404, "not_found", `no route for ${c.req.method} ${new URL(c.req.url).pathname}`);
    if (weak) throw new ApiError(503, "admin_disabled", `the admin routes are disabled: ${weak}`);
    const header = c.req.header("authorization") ?? "";
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (!m) {
      c.header("WWW-Authenticate", 'Bearer realm="nalssi admin"');
      throw new ApiError(
        401,
        "unauthorized",
        header ? "the Authorization header must be `Bearer <token>`" : "admin routes need `Authorization: Bearer <ADMIN_TOKEN>`",
      );
    }
    // Clients without a known address (no adapter address, no Cloudflare header) share one budget.
    const client = clientAddressOf(c.req.raw, o.workers) ?? "unknown";
    const wait = budget.retryAfterSeconds(client);
    if (wait > 0) {
      c.header("Retry-After", String(wait));
      throw new ApiError(429, "too_many_requests", `too many wrong admin tokens from this client; retry in ${wait} s`, { retry_after_seconds: wait });
    }
    if (!(await constantTimeEqual(m[1]!, expected))) {
      budget.fail(client);
      throw new ApiError(403, "forbidden", "the bearer token is not the admin token");
    }
    await next();
  };
}
