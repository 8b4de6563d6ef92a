// Writes an object only when its body (or content type) differs from what is stored, so re-running
// a job leaves the store as it was. An unreadable stored copy (integrity fault) is replaced.
import { ObjectStoreError } from "../ports/object-store.ts";
import type { ObjectStore, PutOptions } from "../ports/object-store.ts";

const encoder = new TextEncoder();

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export async function putIfChanged(store: ObjectStore, key: string, body: string | Uint8Array, options: PutOptions = {}): Promise<"written" | "unchanged"> {
  const bytes = typeof body === "string" ? encoder.encode(body) : body;
  let existing;
  try {
    existing = await store.get(key);
  } catch (e) {
    if (!(e instanceof ObjectStoreError && e.code === "integrity")) throw e;
    existing = null;
  }
  if (existing && sameBytes(existing.body, bytes) && existing.contentType === options.contentType) return "unchanged";
  await store.put(key, bytes, options);
  return "written";
}
