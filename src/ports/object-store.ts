// Port: a key/value object store (Cloudflare R2 in Workers, a local folder offline, memory in tests).
//
// Keys are `/`-separated paths such as `raw/kma/getVilageFcst/seoul/2025-05-29/0200.json` (see
// src/storage/object-key.ts for the rules every store enforces, and src/storage/keys.ts for the key
// scheme). Every store lists keys in the same order: lexicographic by Unicode code point, which is
// the UTF-8 byte order R2 uses.
//
// Failures throw ObjectStoreError, naming the operation and the key; nothing is swallowed. Errors
// with `transient: true` may succeed when retried (src/storage/with-retries.ts); every operation
// here is safe to retry (put is idempotent by key, delete of a missing key is a no-op).

/** What head() and list() tell about an object. */
export interface ObjectInfo {
  key: string;
  /** Body size in bytes. */
  size: number;
  /** When the stored version was written (UTC instant). */
  uploaded: Date;
}

/** A whole object, as get() returns it. */
export interface StoredObject extends ObjectInfo {
  body: Uint8Array;
  contentType: string | undefined;
  /** Custom metadata; `{}` when none was given. */
  metadata: Record<string, string>;
  /** Lowercase hex SHA-256 of the body, checked against what the store recorded at put time. */
  sha256: string;
}

export interface PutOptions {
  /** A MIME type, e.g. `application/json; charset=utf-8`. */
  contentType?: string;
  /** Keys: lowercase `[a-z0-9][a-z0-9._-]*`; values: text without control characters; 2 KiB in total (UTF-8). */
  metadata?: Record<string, string>;
}

export interface ListPageOptions {
  /** Continue after the page that returned this cursor (opaque; only valid for the same store and prefix). */
  cursor?: string;
  /** Most objects in the page, 1..1000 (default 1000). A page may hold fewer even when more follow. */
  limit?: number;
}

export interface ObjectPage {
  objects: ObjectInfo[];
  /** Pass to the next listPage call; undefined when this was the last page. */
  cursor: string | undefined;
}

export interface ObjectStore {
  /**
   * Writes the whole object atomically: a reader sees the old object or the new one (body, content
   * type and metadata together), never a part. Replaces any existing object with that key.
   */
  put(key: string, body: Uint8Array | string, options?: PutOptions): Promise<void>;
  /** The object, or null when there is none. */
  get(key: string): Promise<StoredObject | null>;
  /** Size and upload time without the body, or null when there is none. */
  head(key: string): Promise<ObjectInfo | null>;
  /** Every object whose key starts with `prefix` (default: all), in key order. Reads all pages. */
  list(prefix?: string): Promise<ObjectInfo[]>;
  /** One page of list(prefix), in key order; for prefixes too big to read at once. */
  listPage(prefix: string, options?: ListPageOptions): Promise<ObjectPage>;
  /** Removes the object; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
}

export type ObjectStoreOperation = "put" | "get" | "head" | "list" | "delete";

/**
 * - `invalid-key`: the key (or list prefix) breaks the key rules;
 * - `invalid-argument`: bad put options, list limit or cursor;
 * - `conflict`: the store cannot hold this key next to an existing one (local folder: `a` and `a/b`);
 * - `integrity`: what was read does not match what was written (checksum, missing metadata);
 * - `storage`: the backend failed (I/O, R2 errors); see `transient`.
 */
export type ObjectStoreErrorCode = "invalid-key" | "invalid-argument" | "conflict" | "integrity" | "storage";

export interface ObjectStoreErrorOptions {
  code: ObjectStoreErrorCode;
  /** True when the same call may succeed later (timeouts, rate limits, busy files). */
  transient?: boolean;
  cause?: unknown;
}

/** A failed object store operation. The message names the operation and the key, on one line. */
export class ObjectStoreError extends Error {
  override name = "ObjectStoreError";
  readonly operation: ObjectStoreOperation;
  /** The key, or the prefix for list. */
  readonly key: string;
  readonly code: ObjectStoreErrorCode;
  readonly transient: boolean;
  /** The message without the `operation "key":` lead. */
  readonly detail: string;

  constructor(operation: ObjectStoreOperation, key: string, detail: string, options: ObjectStoreErrorOptions) {
    super(`object store ${operation} ${JSON.stringify(key)}: ${detail}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.operation = operation;
    this.key = key;
    this.code = options.code;
    this.transient = options.transient ?? false;
    this.detail = detail;
  }
}
