// Checks and normalises what put() receives, the same way in every store, so that a put that works
// offline also works against R2 (and the other way round).
import { ObjectStoreError } from "../ports/object-store.ts";
import type { PutOptions } from "../ports/object-store.ts";

/** Custom metadata budget: keys + values, UTF-8. R2 allows 8 KiB of metadata; we keep well under it. */
export const MAX_METADATA_BYTES = 2048;
export const MAX_CONTENT_TYPE_LENGTH = 256;
const METADATA_KEY = /^[a-z0-9][a-z0-9._-]{0,127}$/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
const LONE_SURROGATE = /\p{Surrogate}/u;

const encoder = new TextEncoder();

export interface NormalizedPut {
  bytes: Uint8Array;
  contentType: string | undefined;
  metadata: Record<string, string>;
}

function invalid(key: string, detail: string): ObjectStoreError {
  return new ObjectStoreError("put", key, detail, { code: "invalid-argument" });
}

/**
 * Strings become UTF-8; bytes are copied (later changes to the caller's array do not reach the
 * store). Throws ObjectStoreError (`invalid-argument`) naming the problem.
 */
export function normalizePut(key: string, body: Uint8Array | string, options: PutOptions | undefined): NormalizedPut {
  let bytes: Uint8Array;
  if (typeof body === "string") {
    if (LONE_SURROGATE.test(body)) throw invalid(key, "body string contains an unpaired UTF-16 surrogate (cannot be stored as UTF-8)");
    bytes = encoder.encode(body);
  } else if (body instanceof Uint8Array) {
    bytes = new Uint8Array(body);
  } else {
    throw invalid(key, `body must be a Uint8Array or a string, got ${body === null ? "null" : typeof body}`);
  }

  const contentType = options?.contentType;
  if (contentType !== undefined) {
    if (typeof contentType !== "string") throw invalid(key, `contentType must be a string, got ${typeof contentType}`);
    if (contentType.trim() === "") throw invalid(key, "contentType is empty");
    if (contentType.length > MAX_CONTENT_TYPE_LENGTH) throw invalid(key, `contentType is longer than ${MAX_CONTENT_TYPE_LENGTH} characters`);
    if (CONTROL.test(contentType) || /[^\u0020-\u007e]/.test(contentType)) throw invalid(key, "contentType must be printable ASCII");
  }

  const metadata: Record<string, string> = {};
  const given = options?.metadata;
  if (given !== undefined) {
    if (given === null || typeof given !== "object" || Array.isArray(given)) throw invalid(key, "metadata must be an object of strings");
    let total = 0;
    for (const [name, value] of Object.entries(given)) {
      if (!METADATA_KEY.test(name)) {
        throw invalid(key, `metadata key ${JSON.stringify(name)} must be 1..128 of lowercase a-z, 0-9, ".", "_", "-", starting with a letter or digit`);
      }
      if (typeof value !== "string") throw invalid(key, `metadata ${JSON.stringify(name)} must be a string, got ${typeof value}`);
      if (CONTROL.test(value)) throw invalid(key, `metadata ${JSON.stringify(name)} contains a control character`);
      if (LONE_SURROGATE.test(value)) throw invalid(key, `metadata ${JSON.stringify(name)} contains an unpaired UTF-16 surrogate`);
      total += encoder.encode(name).length + encoder.encode(value).length;
      metadata[name] = value;
    }
    if (total > MAX_METADATA_BYTES) throw invalid(key, `metadata is ${total} bytes; at most ${MAX_METADATA_BYTES} (UTF-8, keys + values)`);
  }
  return { bytes, contentType, metadata };
}
