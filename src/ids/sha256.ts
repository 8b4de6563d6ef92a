// SHA-256 and hex: the one home for hashing. Web Crypto (crypto.subtle), present alike in Node,
// Deno and workerd. Used for object checksums, model artifacts, migrations and dataset fingerprints.

/** Lowercase hex of bytes (e.g. a digest, or R2's stored checksum). */
export function bytesToHex(buffer: ArrayBuffer | Uint8Array): string {
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  let hex = "";
  for (const b of bytes) hex += b.toString(16).padStart(2, "0");
  return hex;
}

/** Lowercase hex SHA-256 of a text (hashed as UTF-8) or of bytes. */
export async function sha256Hex(data: string | Uint8Array | ArrayBuffer): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data instanceof Uint8Array ? data : new Uint8Array(data);
  // digest() wants a BufferSource backed by a plain ArrayBuffer; copy when the view is not one.
  const source = bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
  return bytesToHex(await crypto.subtle.digest("SHA-256", source));
}
