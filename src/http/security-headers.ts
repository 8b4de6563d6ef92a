// Security headers on every answer (hono/secure-headers): nosniff, no framing, no referrer, and a
// CSP that allows nothing, which is right for JSON. Pages set their own CSP (the dashboard: same
// origin only; /docs: its inline script and style by a per-request nonce) and it is kept.
import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";

export const API_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function securityHeaders(): MiddlewareHandler {
  return secureHeaders({
    contentSecurityPolicy: { defaultSrc: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"], frameAncestors: ["'none'"] },
    xFrameOptions: "DENY",
    // A header a route set itself (the dashboard's and /docs' CSP) wins over the default.
    overwrite: false,
  });
}

/** A fresh nonce for one page's inline script and style. */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

/** The CSP of a self-contained page whose inline <script> and <style> carry `nonce`. */
export function pageCsp(nonce: string): string {
  return `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
}
