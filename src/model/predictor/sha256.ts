// SHA-256 through WebCrypto (crypto.subtle), available alike in Workers, Deno and Node 22: what a
// model loader uses to check an artifact against its published checksum before parsing it.
import { sha256Hex } from "../../ids/sha256.ts";
import { ChecksumMismatchError } from "./errors.ts";

export { sha256Hex } from "../../ids/sha256.ts";

const HEX = /^[0-9a-f]{64}$/;

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
