// SHA-256 through WebCrypto (crypto.subtle), available alike in Workers, Deno and Node 22: what a
// model loader uses to check an artifact against its published checksum before parsing it.
import { ChecksumMismatchError } from "./errors.ts";

const HEX = /^[0-9a-f]{64}$/;

/** Lower-case hex SHA-256 of a text (hashed as UTF-8) or of bytes. */
export async function sha256Hex(data: string | Uint8Array | ArrayBuffer): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data instanceof Uint8Array ? data : new Uint8Array(data);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  let hex = "";
  for (const b of digest) hex += b.toString(16).padStart(2, "0");
  return hex;
}

/**
 * Resolves if `data` hashes to `expectedHex` (64 hex digits, either case); otherwise rejects with a
 * ChecksumMismatchError naming both digests. `what` names the artifact in the message.
 */
export async function verifySha256(data: string | Uint8Array | ArrayBuffer, expectedHex: string, what = "artifact"): Promise<void> {
  const expected = expectedHex.trim().toLowerCase();
  if (!HEX.test(expected)) throw new TypeError(`${what}: expected checksum ${JSON.stringify(expectedHex)} is not 64 hex digits`);
  const actual = await sha256Hex(data);
  if (actual !== expected) throw new ChecksumMismatchError(what, expected, actual);
}
