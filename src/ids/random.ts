// Random identifiers: the one home for random hex (run ids, alias tokens, temporary file names,
// Workflows instance ids). crypto.getRandomValues, present in Node, Deno and workerd.
import { bytesToHex } from "./sha256.ts";

/** `bytes` random bytes as lowercase hex (2 digits per byte). */
export function randomHex(bytes: number): string {
  return bytesToHex(crypto.getRandomValues(new Uint8Array(bytes)));
}
