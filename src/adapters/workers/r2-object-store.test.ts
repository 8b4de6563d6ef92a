// R2 adapter logic that needs no Workers runtime: error classification and wrapping, paging
// through truncated listings, checksum verification. A small fake bucket stands in for the
// binding; the real binding is exercised in r2-object-store.workerd.test.ts.
import type { R2Bucket } from "@cloudflare/workers-types/index.ts";
import { describe, expect, it } from "vitest";
import { ObjectStoreError } from "../../ports/object-store.ts";
import { createR2ObjectStore, isTransientR2Error, r2ErrorCode } from "./r2-object-store.ts";

interface FakeObject {
  key: string;
  size: number;
  uploaded: Date;
}

/** Lists `keys` in pages of `pageSize`, like R2 with a smaller page; other calls throw `fail`. */
function fakeBucket(options: { keys?: string[]; pageSize?: number; fail?: Error; getResult?: unknown }): { bucket: R2Bucket; listCalls: unknown[] } {
  const listCalls: unknown[] = [];
  const keys = options.keys ?? [];
  const pageSize = options.pageSize ?? 1000;
  const raise = async () => {
    throw options.fail ?? new Error("not in this fake");
  };
  const bucket = {
    list: async (o: { prefix?: string; cursor?: string; limit?: number }) => {
      listCalls.push(o);
      if (options.fail) return raise();
      const start = o.cursor ? Number(o.cursor) : 0;
      const size = Math.min(pageSize, o.limit ?? 1000);
      const objects: FakeObject[] = keys
        .filter((k) => k.startsWith(o.prefix ?? ""))
        .slice(start, start + size)
        .map((key) => ({ key, size: 1, uploaded: new Date(0) }));
      const truncated = start + size < keys.length;
      return truncated ? { objects, delimitedPrefixes: [], truncated, cursor: String(start + size) } : { objects, delimitedPrefixes: [], truncated };
    },
    put: raise,
    head: raise,
    delete: raise,
    get: async () => (options.fail ? raise() : options.getResult),
  };
  return { bucket: bucket as unknown as R2Bucket, listCalls };
}

describe("R2 error classification", () => {
  it("reads the R2 code at the end of a message", () => {
    expect(r2ErrorCode("put: Your metadata headers exceed the maximum allowed metadata size. (10012)")).toBe(10012);
    expect(r2ErrorCode("get: We encountered an internal error. Please try again. (10001)")).toBe(10001);
    expect(r2ErrorCode("Network connection lost.")).toBeUndefined();
  });

  it("retries internal errors, unavailability, disconnects and rate limits; not bad requests", () => {
    for (const code of [10001, 10043, 10054, 10058]) expect(isTransientR2Error(new Error(`put: x (${code})`))).toBe(true);
    for (const code of [10012, 10020, 10006, 10003, 100100]) expect(isTransientR2Error(new Error(`put: x (${code})`))).toBe(false);
    expect(isTransientR2Error(new Error("Network connection lost."))).toBe(true);
    expect(isTransientR2Error(new TypeError("put: value must be a string"))).toBe(false);
  });

  it("wraps binding failures in ObjectStoreError naming the operation and key", async () => {
    const { bucket } = fakeBucket({ fail: new Error("put: We encountered an internal error. Please try again. (10001)") });
    const store = createR2ObjectStore(bucket);
    for (const [op, call] of [
      ["put", () => store.put("a/b.txt", "x")],
      ["get", () => store.get("a/b.txt")],
      ["head", () => store.head("a/b.txt")],
      ["delete", () => store.delete("a/b.txt")],
      ["list", () => store.list("a/b.txt")],
    ] as const) {
      const e = await call().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(ObjectStoreError);
      expect((e as ObjectStoreError).message).toBe(
        `object store ${op} "a/b.txt": R2 ${op} failed: put: We encountered an internal error. Please try again. (10001)`,
      );
      expect((e as ObjectStoreError).transient).toBe(true);
      expect((e as ObjectStoreError).code).toBe("storage");
    }
  });

  it("checks keys before calling R2", async () => {
    const { bucket, listCalls } = fakeBucket({});
    await expect(createR2ObjectStore(bucket).put("a/../b", "x")).rejects.toMatchObject({ code: "invalid-key" });
    await expect(createR2ObjectStore(bucket).list("../")).rejects.toMatchObject({ code: "invalid-key" });
    expect(listCalls).toEqual([]);
  });

  it("needs a bucket", () => {
    expect(() => createR2ObjectStore(undefined as unknown as R2Bucket)).toThrow(/R2 bucket binding is required/);
  });
});

describe("R2 listing", () => {
  it("follows cursors until the listing is no longer truncated", async () => {
    const keys = Array.from({ length: 7 }, (_, i) => `k/${i}`);
    const { bucket, listCalls } = fakeBucket({ keys, pageSize: 3 });
    const store = createR2ObjectStore(bucket);
    expect((await store.list("k/")).map((o) => o.key)).toEqual(keys);
    expect(listCalls).toEqual([
      { prefix: "k/", limit: 1000 },
      { prefix: "k/", limit: 1000, cursor: "3" },
      { prefix: "k/", limit: 1000, cursor: "6" },
    ]);
    const page = await store.listPage("k/", { limit: 2 });
    expect(page).toEqual({
      objects: [
        { key: "k/0", size: 1, uploaded: new Date(0) },
        { key: "k/1", size: 1, uploaded: new Date(0) },
      ],
      cursor: "2",
    });
  });
});

describe("R2 get", () => {
  const object = (body: string, sha256?: ArrayBuffer) => ({
    key: "k",
    size: new TextEncoder().encode(body).length,
    uploaded: new Date("2025-05-29T00:00:00Z"),
    httpMetadata: { contentType: "text/plain" },
    customMetadata: { a: "b" },
    checksums: { sha256 },
    arrayBuffer: async () => new TextEncoder().encode(body).buffer,
  });

  it("returns body, metadata and the body's hash", async () => {
    const { bucket } = fakeBucket({ getResult: object("abc") });
    const got = await createR2ObjectStore(bucket).get("k");
    expect(got).toMatchObject({
      key: "k",
      size: 3,
      contentType: "text/plain",
      metadata: { a: "b" },
      sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    });
  });

  it("reports a body that does not match R2's checksum as an integrity error", async () => {
    const wrong = new Uint8Array(32).fill(1).buffer;
    const { bucket } = fakeBucket({ getResult: object("abc", wrong) });
    await expect(createR2ObjectStore(bucket).get("k")).rejects.toMatchObject({ code: "integrity", operation: "get", key: "k" });
  });
});
