// An ObjectStore in memory: for tests and throwaway runs. Runtime-agnostic. Bodies are copied on
// the way in and out, so callers can never change a stored object by mutating an array.
import type { ListPageOptions, ObjectInfo, ObjectPage, ObjectStore, PutOptions, StoredObject } from "../ports/object-store.ts";
import { systemClock } from "../ports/clock.ts";
import type { Clock } from "../ports/clock.ts";
import { assertListPrefix, assertObjectKey, compareKeys } from "./object-key.ts";
import { listAllPages, pageLimit } from "./list-pages.ts";
import { normalizePut } from "./put-input.ts";
import { sha256Hex } from "../ids/sha256.ts";

interface Entry {
  body: Uint8Array;
  contentType: string | undefined;
  metadata: Record<string, string>;
  sha256: string;
  uploaded: number;
}

export interface MemoryObjectStoreOptions {
  /** Source of `uploaded` times (default: the system clock). */
  clock?: Clock;
}

export function createMemoryObjectStore(options: MemoryObjectStoreOptions = {}): ObjectStore {
  const clock = options.clock ?? systemClock;
  const entries = new Map<string, Entry>();

  const info = (key: string, e: Entry): ObjectInfo => ({ key, size: e.body.length, uploaded: new Date(e.uploaded) });

  const store: ObjectStore = {
    async put(key: string, body: Uint8Array | string, putOptions?: PutOptions): Promise<void> {
      assertObjectKey("put", key);
      const { bytes, contentType, metadata } = normalizePut(key, body, putOptions);
      const sha256 = await sha256Hex(bytes);
      // One synchronous assignment: readers see the old entry or the new one.
      entries.set(key, { body: bytes, contentType, metadata, sha256, uploaded: clock.now().getTime() });
    },

    async get(key: string): Promise<StoredObject | null> {
      assertObjectKey("get", key);
      const e = entries.get(key);
      if (!e) return null;
      return { ...info(key, e), body: new Uint8Array(e.body), contentType: e.contentType, metadata: { ...e.metadata }, sha256: e.sha256 };
    },

    async head(key: string): Promise<ObjectInfo | null> {
      assertObjectKey("head", key);
      const e = entries.get(key);
      return e ? info(key, e) : null;
    },

    async listPage(prefix: string, pageOptions?: ListPageOptions): Promise<ObjectPage> {
      assertListPrefix(prefix);
      const limit = pageLimit(prefix, pageOptions);
      const after = pageOptions?.cursor;
      const keys = [...entries.keys()].filter((k) => k.startsWith(prefix) && (after === undefined || compareKeys(k, after) > 0)).sort(compareKeys);
      const page = keys.slice(0, limit);
      const objects = page.map((k) => info(k, entries.get(k) as Entry));
      return { objects, cursor: keys.length > limit ? page[page.length - 1] : undefined };
    },

    list(prefix = ""): Promise<ObjectInfo[]> {
      return listAllPages((p, o) => store.listPage(p, o), prefix);
    },

    async delete(key: string): Promise<void> {
      assertObjectKey("delete", key);
      entries.delete(key);
    },
  };
  return store;
}
