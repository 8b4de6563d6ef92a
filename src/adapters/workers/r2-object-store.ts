// An ObjectStore on a Cloudflare R2 bucket binding (env.OBJECTS in the Worker).
//
// put sends the body's SHA-256, so R2 rejects a body damaged on the way in; get hashes what it
// reads and compares it with the checksum R2 kept. list follows R2's cursor until the listing is
// no longer truncated (R2 pages hold at most 1000 keys). R2 errors carry a numeric code at the end
// of their message ("put: ... (10058)"): internal errors, unavailability, disconnects and rate
// limits are marked transient, so withRetries retries them; all are rethrown as ObjectStoreError.
import type { R2Bucket, R2Object } from "@cloudflare/workers-types/index.ts";
import { ObjectStoreError } from "../../ports/object-store.ts";
import type { ListPageOptions, ObjectInfo, ObjectPage, ObjectStore, ObjectStoreOperation, PutOptions, StoredObject } from "../../ports/object-store.ts";
import { assertListPrefix, assertObjectKey } from "../../storage/object-key.ts";
import { listAllPages, pageLimit } from "../../storage/list-pages.ts";
import { normalizePut } from "../../storage/put-input.ts";
import { bytesToHex, sha256Hex } from "../../ids/sha256.ts";

/** R2 error codes worth retrying: InternalError, ServiceUnavailable, ClientDisconnect, TooManyRequests, BadDigest, IncompleteBody. */
export const TRANSIENT_R2_CODES: ReadonlySet<number> = new Set([10001, 10043, 10054, 10058, 10037, 10013]);

/** The R2 error code at the end of a message ("... (10058)"), if any. */
export function r2ErrorCode(message: string): number | undefined {
  const m = /\((\d{5,6})\)\s*$/.exec(message);
  return m ? Number(m[1]) : undefined;
}

/**
 * Whether an error thrown by the binding may pass when retried. With an R2 code, only the codes
 * above (any other code says the request itself is wrong: bad key, metadata too large, no such
 * bucket, ...). Without a code (connection to R2 lost, an internal error without a number) it
 * counts as transient, since every call here is safe to repeat and retries are bounded; TypeError
 * and RangeError are bugs in the call and are not.
 */
export function isTransientR2Error(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  const code = r2ErrorCode(message);
  if (code !== undefined) return TRANSIENT_R2_CODES.has(code);
  return !(error instanceof TypeError || error instanceof RangeError);
}

function fault(operation: ObjectStoreOperation, key: string, error: unknown): ObjectStoreError {
  if (error instanceof ObjectStoreError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ObjectStoreError(operation, key, `R2 ${operation} failed: ${message}`, { code: "storage", transient: isTransientR2Error(error), cause: error });
}

const info = (o: R2Object): ObjectInfo => ({ key: o.key, size: o.size, uploaded: new Date(o.uploaded.getTime()) });

export function createR2ObjectStore(bucket: R2Bucket): ObjectStore {
  if (!bucket || typeof bucket.put !== "function")
    throw new TypeError("createR2ObjectStore: an R2 bucket binding is required (check [[r2_buckets]] in wrangler.toml)");

  async function listPage(prefix: string, options?: ListPageOptions): Promise<ObjectPage> {
    assertListPrefix(prefix);
    const limit = pageLimit(prefix, options);
    let listed;
    try {
      listed = await bucket.list({ prefix, limit, ...(options?.cursor !== undefined ? { cursor: options.cursor } : {}) });
    } catch (e) {
      throw fault("list", prefix, e);
    }
    const cursor = listed.truncated ? listed.cursor : undefined;
    if (listed.truncated && !cursor)
      throw new ObjectStoreError("list", prefix, "R2 said the listing is truncated but gave no cursor", { code: "storage", transient: true });
    return { objects: listed.objects.map(info), cursor };
  }

  return {
    async put(key: string, body: Uint8Array | string, options?: PutOptions): Promise<void> {
      assertObjectKey("put", key);
      const { bytes, contentType, metadata } = normalizePut(key, body, options);
      const sha256 = await sha256Hex(bytes);
      try {
        await bucket.put(key, bytes, {
          ...(contentType !== undefined ? { httpMetadata: { contentType } } : {}),
          customMetadata: metadata,
          sha256,
        });
      } catch (e) {
        throw fault("put", key, e);
      }
    },

    async get(key: string): Promise<StoredObject | null> {
      assertObjectKey("get", key);
      try {
        const object = await bucket.get(key);
        if (object === null) return null;
        const body = new Uint8Array(await object.arrayBuffer());
        const sha256 = await sha256Hex(body);
        const recorded = object.checksums.sha256;
        if (recorded !== undefined && bytesToHex(recorded) !== sha256) {
          throw new ObjectStoreError("get", key, `integrity: body sha256 ${sha256} differs from the ${bytesToHex(recorded)} R2 recorded`, {
            code: "integrity",
            transient: true,
          });
        }
        if (body.length !== object.size) {
          throw new ObjectStoreError("get", key, `integrity: read ${body.length} bytes, R2 says ${object.size}`, { code: "integrity", transient: true });
        }
        return {
          ...info(object),
          body,
          contentType: object.httpMetadata?.contentType,
          metadata: { ...(object.customMetadata ?? {}) },
          sha256,
        };
      } catch (e) {
        throw fault("get", key, e);
      }
    },

    async head(key: string): Promise<ObjectInfo | null> {
      assertObjectKey("head", key);
      try {
        const object = await bucket.head(key);
        return object === null ? null : info(object);
      } catch (e) {
        throw fault("head", key, e);
      }
    },

    listPage,

    list(prefix = ""): Promise<ObjectInfo[]> {
      return listAllPages(listPage, prefix);
    },

    async delete(key: string): Promise<void> {
      assertObjectKey("delete", key);
      try {
        await bucket.delete(key);
      } catch (e) {
        throw fault("delete", key, e);
      }
    },
  };
}
