// The behaviour every ObjectStore must have, as one test suite run against each store: memory and
// the local folder (Node and Deno) and R2 (workerd). Only the vitest API the Deno shim supports.
import { afterEach, describe, expect, it } from "vitest";
import { ObjectStoreError } from "../ports/object-store.ts";
import type { ObjectInfo, ObjectStore, ObjectStoreErrorCode, PutOptions } from "../ports/object-store.ts";

export interface ContractTarget {
  /** A fresh, empty store for one test. */
  create(): Promise<ObjectStore>;
  /** Runs after each test (remove temp folders, empty the bucket). */
  cleanup?(): Promise<void>;
  /** How many keys the big-listing test puts (default 1100: more than one R2 page). */
  manyKeys?: number;
}

const text = (bytes: Uint8Array) => new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);

async function rejection(promise: Promise<unknown>): Promise<ObjectStoreError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof ObjectStoreError) return e;
    throw new Error(`expected an ObjectStoreError, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
  throw new Error("expected the call to fail, but it succeeded");
}

async function expectStoreError(promise: Promise<unknown>, code: ObjectStoreErrorCode, operation: string, key: string): Promise<ObjectStoreError> {
  const e = await rejection(promise);
  expect({ code: e.code, operation: e.operation, key: e.key }).toEqual({ code, operation, key });
  expect(e.message).toContain(JSON.stringify(key));
  expect(e.message).toContain(operation);
  return e;
}

async function putAll(store: ObjectStore, keys: string[], batch = 50): Promise<void> {
  for (let i = 0; i < keys.length; i += batch) {
    await Promise.all(keys.slice(i, i + batch).map((k) => store.put(k, k)));
  }
}

const keysOf = (infos: ObjectInfo[]) => infos.map((o) => o.key);

export function objectStoreContract(name: string, target: ContractTarget): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let current: ObjectStore | undefined;
    const fresh = async () => (current = await target.create());

    afterEach(async () => {
      current = undefined;
      await target.cleanup?.();
    });

    describe("round trips", () => {
      it("stores bytes exactly, all 256 byte values, with size and sha256", async () => {
        const store = await fresh();
        const bytes = new Uint8Array(512);
        for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) % 256;
        await store.put("bin/all-bytes.bin", bytes);
        const got = await store.get("bin/all-bytes.bin");
        expect(got).not.toBeNull();
        expect(Array.from(got!.body)).toEqual(Array.from(bytes));
        expect(got!.size).toBe(512);
        expect(got!.key).toBe("bin/all-bytes.bin");
        expect(got!.sha256).toMatch(/^[0-9a-f]{64}$/);
      });

      it("gives the SHA-256 of the body", async () => {
        const store = await fresh();
        await store.put("sha/abc.txt", "abc");
        expect((await store.get("sha/abc.txt"))!.sha256).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
      });

      it("stores strings as UTF-8, Korean text included", async () => {
        const store = await fresh();
        const value = '{"PCP":"강수없음","SNO":"적설없음","name":"서울특별시 중구","ta":"23.5°C"}';
        await store.put("raw/kma/getVilageFcst/seoul/2025-05-29/0200.json", value, { contentType: "application/json; charset=utf-8" });
        const got = await store.get("raw/kma/getVilageFcst/seoul/2025-05-29/0200.json");
        expect(text(got!.body)).toBe(value);
        expect(got!.size).toBe(new TextEncoder().encode(value).length);
        expect(got!.size).toBeGreaterThan(value.length);
        expect(got!.contentType).toBe("application/json; charset=utf-8");
      });

      it("stores an empty body", async () => {
        const store = await fresh();
        await store.put("empty/nothing.txt", new Uint8Array(0));
        const got = await store.get("empty/nothing.txt");
        expect(got!.body.length).toBe(0);
        expect(got!.size).toBe(0);
        expect((await store.head("empty/nothing.txt"))!.size).toBe(0);
      });

      it("takes keys with spaces and Korean and other non-ASCII text", async () => {
        const store = await fresh();
        const key = "notes/서울 관측/기온 메모 (1).txt";
        await store.put(key, "메모");
        expect(text((await store.get(key))!.body)).toBe("메모");
        expect(keysOf(await store.list("notes/서울"))).toEqual([key]);
      });

      it("keeps content type and metadata, Korean values included", async () => {
        const store = await fresh();
        await store.put("meta/a.csv", "tm,ta\n", {
          contentType: "text/csv; charset=utf-8",
          metadata: { source: "kma-asos", station: "108", "station-name": "서울", "fetched.at": "2025-05-29T17:15:00Z" },
        });
        const got = await store.get("meta/a.csv");
        expect(got!.contentType).toBe("text/csv; charset=utf-8");
        expect(got!.metadata).toEqual({ source: "kma-asos", station: "108", "station-name": "서울", "fetched.at": "2025-05-29T17:15:00Z" });
      });

      it("has no content type and empty metadata when none were given", async () => {
        const store = await fresh();
        await store.put("meta/plain", "x");
        const got = await store.get("meta/plain");
        expect(got!.contentType).toBeUndefined();
        expect(got!.metadata).toEqual({});
      });

      it("copies bodies: changing the array given to put or got from get changes nothing stored", async () => {
        const store = await fresh();
        const bytes = new Uint8Array([1, 2, 3]);
        await store.put("copy/x.bin", bytes);
        bytes[0] = 99;
        const first = await store.get("copy/x.bin");
        expect(Array.from(first!.body)).toEqual([1, 2, 3]);
        first!.body[1] = 99;
        first!.metadata["changed"] = "yes";
        const second = await store.get("copy/x.bin");
        expect(Array.from(second!.body)).toEqual([1, 2, 3]);
        expect(second!.metadata).toEqual({});
      });

      it("stores a body given as a view into a bigger buffer as just the view's bytes", async () => {
        const store = await fresh();
        const buffer = new Uint8Array([9, 9, 1, 2, 3, 9, 9]);
        await store.put("copy/view.bin", buffer.subarray(2, 5));
        expect(Array.from((await store.get("copy/view.bin"))!.body)).toEqual([1, 2, 3]);
      });
    });

    describe("overwrite, missing keys, head", () => {
      it("replaces body, content type and metadata as a whole", async () => {
        const store = await fresh();
        await store.put("ow/k.json", "first version", { contentType: "application/json", metadata: { a: "1", b: "2" } });
        await store.put("ow/k.json", "second", { metadata: { c: "3" } });
        const got = await store.get("ow/k.json");
        expect(text(got!.body)).toBe("second");
        expect(got!.size).toBe(6);
        expect(got!.contentType).toBeUndefined();
        expect(got!.metadata).toEqual({ c: "3" });
        expect(keysOf(await store.list("ow/"))).toEqual(["ow/k.json"]);
      });

      it("replaces metadata also when the body is the same bytes", async () => {
        const store = await fresh();
        await store.put("ow/same.txt", "same", { metadata: { v: "1" } });
        await store.put("ow/same.txt", "same", { contentType: "text/plain", metadata: { v: "2" } });
        const got = await store.get("ow/same.txt");
        expect(got!.metadata).toEqual({ v: "2" });
        expect(got!.contentType).toBe("text/plain");
      });

      it("answers null for a missing key, from get and head", async () => {
        const store = await fresh();
        expect(await store.get("missing/key.json")).toBeNull();
        expect(await store.head("missing/key.json")).toBeNull();
        await store.put("missing/other.json", "x");
        expect(await store.get("missing/key.json")).toBeNull();
        expect(await store.get("missing")).toBeNull();
        expect(await store.head("missing")).toBeNull();
      });

      it("heads an object: size and upload time, the same time get gives", async () => {
        const store = await fresh();
        const before = Date.now();
        await store.put("head/a.txt", "서울");
        const after = Date.now();
        const info = await store.head("head/a.txt");
        expect(info!.key).toBe("head/a.txt");
        expect(info!.size).toBe(6);
        expect(info!.uploaded).toBeInstanceOf(Date);
        expect(info!.uploaded.getTime()).toBeGreaterThanOrEqual(before - 2000);
        expect(info!.uploaded.getTime()).toBeLessThanOrEqual(after + 2000);
        const got = await store.get("head/a.txt");
        expect(got!.uploaded.getTime()).toBe(info!.uploaded.getTime());
      });
    });

    describe("list", () => {
      it("lists keys under a prefix in code point (UTF-8 byte) order", async () => {
        const store = await fresh();
        // "-" < "." < "/" < "0" < "A" < "a" < U+FF01 < U+1F600 as code points; UTF-16 order would put the emoji before U+FF01.
        const keys = ["p/a.txt", "p/a/b.txt", "p/a0.txt", "p/a-b.txt", "p/A.txt", "p/서울.txt", "p/\u{1F600}.txt", "p/\uFF01.txt", "p/a/c/d.txt", "p/b"];
        for (const k of keys) await store.put(k, k);
        await store.put("q/outside.txt", "x");
        await store.put("pp/outside.txt", "x");
        const expected = ["p/A.txt", "p/a-b.txt", "p/a.txt", "p/a/b.txt", "p/a/c/d.txt", "p/a0.txt", "p/b", "p/서울.txt", "p/\uFF01.txt", "p/\u{1F600}.txt"];
        expect(keysOf(await store.list("p/"))).toEqual(expected);
        const info = (await store.list("p/")).find((o) => o.key === "p/서울.txt");
        expect(info!.size).toBe(new TextEncoder().encode("p/서울.txt").length);
        expect(info!.uploaded).toBeInstanceOf(Date);
      });

      it("matches prefixes that end inside a segment", async () => {
        const store = await fresh();
        for (const k of [
          "raw/kma/getVilageFcst/seoul/x.json",
          "raw/kma/getUltraSrtNcst/seoul/x.json",
          "raw/kma/getWthrDataList/seoul/x.json",
          "raw/kmb/x.json",
        ])
          await store.put(k, "x");
        expect(keysOf(await store.list("raw/kma/getU"))).toEqual(["raw/kma/getUltraSrtNcst/seoul/x.json"]);
        expect(keysOf(await store.list("raw/kma/get"))).toHaveLength(3);
        expect(keysOf(await store.list("raw/km"))).toHaveLength(4);
        expect(keysOf(await store.list("raw/kma/getVilageFcst/seoul/x.json"))).toEqual(["raw/kma/getVilageFcst/seoul/x.json"]);
      });

      it("lists everything with no prefix, and nothing under a missing prefix", async () => {
        const store = await fresh();
        expect(await store.list()).toEqual([]);
        await store.put("b/1", "x");
        await store.put("a/1", "x");
        await store.put("c", "x");
        expect(keysOf(await store.list())).toEqual(["a/1", "b/1", "c"]);
        expect(keysOf(await store.list(""))).toEqual(["a/1", "b/1", "c"]);
        expect(await store.list("zzz/")).toEqual([]);
        expect(await store.list("c/")).toEqual([]);
      });

      it("pages with a cursor: pages join up to list(), no key twice, none missed", async () => {
        const store = await fresh();
        const keys = ["pg/a", "pg/b/1", "pg/b/2", "pg/c", "pg/d/e/f", "pg/g"];
        for (const k of keys) await store.put(k, k);
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.listPage("pg/", { limit: 2, ...(cursor ? { cursor } : {}) });
          expect(page.objects.length).toBeLessThanOrEqual(2);
          seen.push(...keysOf(page.objects));
          cursor = page.cursor;
          pages++;
          expect(pages).toBeLessThan(10);
        } while (cursor !== undefined);
        expect(seen).toEqual(keys);
        expect(pages).toBeGreaterThanOrEqual(3);
        const whole = await store.listPage("pg/", { limit: 10 });
        expect(keysOf(whole.objects)).toEqual(keys);
        expect(whole.cursor).toBeUndefined();
      });

      it(`lists more keys than one page holds (${target.manyKeys ?? 1100})`, async () => {
        const store = await fresh();
        const n = target.manyKeys ?? 1100;
        const keys = Array.from({ length: n }, (_, i) => `many/${String(i).padStart(5, "0")}.txt`);
        await putAll(store, [...keys].reverse());
        await store.put("manz/after.txt", "x");
        const all = await store.list("many/");
        expect(all.length).toBe(n);
        expect(keysOf(all)).toEqual(keys);
        const first = await store.listPage("many/");
        expect(first.objects.length).toBeGreaterThan(0);
        expect(first.objects.length).toBeLessThanOrEqual(1000);
        if (n > 1000) expect(first.cursor).toBeDefined();
        let cursor = first.cursor;
        const seen = keysOf(first.objects);
        while (cursor !== undefined) {
          const page = await store.listPage("many/", { cursor });
          seen.push(...keysOf(page.objects));
          cursor = page.cursor;
        }
        expect(seen).toEqual(keys);
      });

      it("rejects a bad page limit or cursor", async () => {
        const store = await fresh();
        for (const limit of [0, 1001, 1.5, -1]) await expectStoreError(store.listPage("x/", { limit }), "invalid-argument", "list", "x/");
        await expectStoreError(store.listPage("x/", { cursor: "" }), "invalid-argument", "list", "x/");
      });
    });

    describe("delete", () => {
      it("removes the object from get, head and list", async () => {
        const store = await fresh();
        await store.put("del/a.txt", "a", { metadata: { k: "v" } });
        await store.put("del/b.txt", "b");
        await store.delete("del/a.txt");
        expect(await store.get("del/a.txt")).toBeNull();
        expect(await store.head("del/a.txt")).toBeNull();
        expect(keysOf(await store.list("del/"))).toEqual(["del/b.txt"]);
        await store.put("del/a.txt", "again");
        const got = await store.get("del/a.txt");
        expect(text(got!.body)).toBe("again");
        expect(got!.metadata).toEqual({});
      });

      it("is idempotent: deleting a missing key or a deleted one is fine", async () => {
        const store = await fresh();
        await store.delete("del/never.txt");
        await store.put("del/once.txt", "x");
        await store.delete("del/once.txt");
        await store.delete("del/once.txt");
        await store.delete("del");
        expect(await store.list()).toEqual([]);
      });

      it("deleting a prefix-like key leaves the keys under it", async () => {
        const store = await fresh();
        await store.put("tree/leaf.txt", "x");
        await store.delete("tree");
        expect(keysOf(await store.list())).toEqual(["tree/leaf.txt"]);
      });
    });

    describe("bad keys and options", () => {
      const badKeys: [string, string][] = [
        ["", "empty"],
        ["/etc/passwd", "absolute"],
        ["C:/Windows/x", "drive letter"],
        ["a//b", "empty segment"],
        ["a/b/", "trailing slash"],
        ["../escape.txt", "parent segment"],
        ["a/../../b", "parent segment inside"],
        ["a/./b", "dot segment"],
        [".", "only a dot"],
        ["a\\b", "backslash"],
        ["t/2025-05-29T17:00:00Z.json", "colon"],
        ["a/what?.txt", "question mark"],
        ["a\u0000b", "NUL"],
        ["a\nb", "newline"],
        [".~tmp", "reserved prefix"],
        ["a/.~b.meta.json", "reserved prefix in a later segment"],
        ["\ud800x", "lone surrogate"],
        ["k/" + "x".repeat(1023), "longer than 1024 bytes"],
      ];

      it.each(badKeys.map(([, why], i) => ({ i, why })))("rejects a bad key ($why) on put, get, head and delete, naming it", async ({ i }) => {
        const key = badKeys[i]![0];
        const store = await fresh();
        const e = await expectStoreError(store.put(key, "x"), "invalid-key", "put", key);
        expect(e.transient).toBe(false);
        expect(e.message).toMatch(/invalid key: /);
        await expectStoreError(store.get(key), "invalid-key", "get", key);
        await expectStoreError(store.head(key), "invalid-key", "head", key);
        await expectStoreError(store.delete(key), "invalid-key", "delete", key);
        expect(await store.list()).toEqual([]);
      });

      it("says what is wrong with a key", async () => {
        const store = await fresh();
        expect((await rejection(store.put("a/../b", "x"))).message).toContain('".." segment');
        expect((await rejection(store.put("/a", "x"))).message).toContain("absolute");
        expect((await rejection(store.put("a//b", "x"))).message).toContain("empty segment");
        expect((await rejection(store.put("a\\b", "x"))).message).toContain("backslash");
        expect((await rejection(store.put("a\u0000b", "x"))).message).toContain("NUL");
      });

      it("rejects bad list prefixes", async () => {
        const store = await fresh();
        for (const prefix of ["../", "/a", "a//", "a\\b", "a/../", "x\u0000"]) await expectStoreError(store.list(prefix), "invalid-key", "list", prefix);
      });

      it("rejects bad metadata and content types before storing anything", async () => {
        const store = await fresh();
        const cases: PutOptions[] = [
          { metadata: { Source: "x" } },
          { metadata: { "": "x" } },
          { metadata: { "has space": "x" } },
          { metadata: { note: "two\nlines" } },
          { metadata: { n: 1 as unknown as string } },
          { metadata: { big: "x".repeat(2100) } },
          { contentType: "" },
          { contentType: "text/plain\r\nX-Injected: 1" },
          { contentType: "텍스트/plain" },
        ];
        for (const options of cases) await expectStoreError(store.put("opt/x.txt", "x", options), "invalid-argument", "put", "opt/x.txt");
        expect(await store.list()).toEqual([]);
      });
    });

    describe("concurrency", () => {
      it("concurrent writers to one key leave one writer's whole object; readers never see a torn one", async () => {
        const store = await fresh();
        const key = "race/model.txt";
        const writers = 12;
        const bodyOf = (w: number) => new Uint8Array(2000 + w * 997).fill(w + 1);
        const check = (got: Awaited<ReturnType<ObjectStore["get"]>>) => {
          if (got === null) return;
          const w = Number(got.metadata["writer"]);
          expect(Number.isInteger(w) && w >= 0 && w < writers).toBe(true);
          expect(got.contentType).toBe(`text/x-writer-${w}`);
          expect(got.size).toBe(bodyOf(w).length);
          expect(got.body.length).toBe(bodyOf(w).length);
          expect(got.body.every((b) => b === w + 1)).toBe(true);
        };
        const reads: Promise<void>[] = [];
        const writes = Array.from({ length: writers }, (_, w) => {
          reads.push(store.get(key).then(check));
          return store.put(key, bodyOf(w), { contentType: `text/x-writer-${w}`, metadata: { writer: String(w) } });
        });
        await Promise.all([...writes, ...reads]);
        const final = await store.get(key);
        expect(final).not.toBeNull();
        check(final);
        expect(keysOf(await store.list("race/"))).toEqual([key]);
        expect((await store.head(key))!.size).toBe(final!.size);
      });
    });
  });
}
