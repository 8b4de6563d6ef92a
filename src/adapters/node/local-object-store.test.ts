// The local folder store: the shared contract plus what only a folder can get wrong (crashes
// mid-write, leftovers, file/folder clashes, files that were not written by the store). Runs in
// Node and Deno (node:fs/promises, temp folders under the OS temp dir).
import { mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ObjectStoreError } from "../../ports/object-store.ts";
import { fixedClock } from "../../ports/clock.ts";
import { objectStoreContract } from "../../storage/object-store.contract.ts";
import { sha256Hex } from "../../ids/sha256.ts";
import { createLocalObjectStore } from "./local-object-store.ts";
import { keyPaths, sidecarName, tempName } from "./local-object-store-layout.ts";

const folders: string[] = [];
async function tempFolder(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "nalssi-objects-"));
  folders.push(dir);
  return dir;
}
async function removeFolders(): Promise<void> {
  for (const dir of folders.splice(0)) await rm(dir, { recursive: true, force: true });
}

objectStoreContract("local folder", { create: async () => createLocalObjectStore(await tempFolder()), cleanup: removeFolders });

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const hex16 = "0123456789abcdef";

async function errorOf(p: Promise<unknown>): Promise<ObjectStoreError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ObjectStoreError) return e;
    throw e;
  }
  throw new Error("expected an ObjectStoreError");
}

/** Every file under dir, relative, sorted. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .sort();
}

describe("local folder object store", () => {
  afterEach(removeFolders);

  it("keeps the body as a plain file at <root>/<key>, byte for byte", async () => {
    const root = await tempFolder();
    const store = createLocalObjectStore(root);
    const body = '{"response":{"body":{"items":{"item":[{"category":"PCP","fcstValue":"강수없음"}]}}}}';
    await store.put("raw/kma/getVilageFcst/seoul/2025-05-29/0200.json", body, { contentType: "application/json" });
    expect(await readFile(path.join(root, "raw/kma/getVilageFcst/seoul/2025-05-29/0200.json"), "utf8")).toBe(body);
    const files = await filesUnder(root);
    const sha = await sha256Hex(new TextEncoder().encode(body));
    expect(files).toEqual(["raw/kma/getVilageFcst/seoul/2025-05-29/.~0200.json." + sha + ".meta.json", "raw/kma/getVilageFcst/seoul/2025-05-29/0200.json"]);
  });

  it("keeps objects across store instances (it is only a folder)", async () => {
    const root = await tempFolder();
    await createLocalObjectStore(root).put("models/seoul/v1/model.txt", "tree", { metadata: { rmse: "1.23" } });
    const got = await createLocalObjectStore(root).get("models/seoul/v1/model.txt");
    expect(text(got!.body)).toBe("tree");
    expect(got!.metadata).toEqual({ rmse: "1.23" });
  });

  it("records the injected clock's time as the upload time, in the sidecar and as the file's mtime", async () => {
    const root = await tempFolder();
    const store = createLocalObjectStore(root, { clock: fixedClock("2025-05-29T17:15:00.123Z") });
    await store.put("t/a.txt", "x");
    expect((await store.get("t/a.txt"))!.uploaded.toISOString()).toBe("2025-05-29T17:15:00.123Z");
    expect((await store.head("t/a.txt"))!.uploaded.toISOString()).toBe("2025-05-29T17:15:00.123Z");
    expect((await store.list("t/"))[0]!.uploaded.toISOString()).toBe("2025-05-29T17:15:00.123Z");
  });

  describe("a crash in the middle of a put", () => {
    it("leaves the previous object readable and lists no partial object", async () => {
      const root = await tempFolder();
      const store = createLocalObjectStore(root);
      const key = "csv/observations/seoul/2025/2025-05-29.csv";
      const v1 = "tm,ta\n2025-05-29 00:00,18.2\n";
      await store.put(key, v1, { contentType: "text/csv", metadata: { rows: "1" } });

      // The crashed writer got as far as its temp body (half written), its temp sidecar, and even
      // the committed sidecar of the new body, but never renamed the body into place.
      const p = keyPaths(root, key);
      const v2 = new TextEncoder().encode("tm,ta\n2025-05-29 00:00,18.2\n2025-05-29 01:00,17.9\n");
      await writeFile(path.join(p.dir, tempName(p.name, "body", Date.now(), hex16)), v2.subarray(0, 20));
      await writeFile(path.join(p.dir, tempName(p.name, "meta", Date.now(), hex16)), '{"format":"nalssi-obj');
      const v2sha = await sha256Hex(v2);
      await writeFile(
        path.join(p.dir, sidecarName(p.name, v2sha)),
        JSON.stringify({
          format: "nalssi-object-meta/1",
          key,
          sha256: v2sha,
          size: v2.length,
          contentType: "text/csv",
          metadata: { rows: "2" },
          uploaded: new Date().toISOString(),
        }),
      );

      const got = await store.get(key);
      expect(text(got!.body)).toBe(v1);
      expect(got!.metadata).toEqual({ rows: "1" });
      expect(got!.contentType).toBe("text/csv");
      expect(await store.list("csv/")).toEqual([{ key, size: v1.length, uploaded: got!.uploaded }]);
      expect((await store.head(key))!.size).toBe(v1.length);
      expect(await store.list()).toHaveLength(1);

      // The next put of that key works and its result is whole.
      await store.put(key, v2, { contentType: "text/csv", metadata: { rows: "2", by: "retry" } });
      const again = await store.get(key);
      expect(Array.from(again!.body)).toEqual(Array.from(v2));
      expect(again!.metadata).toEqual({ rows: "2", by: "retry" });
    });

    it("a crash before anything was renamed leaves no object at all for a new key", async () => {
      const root = await tempFolder();
      const store = createLocalObjectStore(root);
      await store.put("d/other.txt", "x");
      const p = keyPaths(root, "d/new.txt");
      await writeFile(path.join(p.dir, tempName(p.name, "body", Date.now(), hex16)), "partial");
      expect(await store.get("d/new.txt")).toBeNull();
      expect(await store.head("d/new.txt")).toBeNull();
      expect((await store.list("d/")).map((o) => o.key)).toEqual(["d/other.txt"]);
    });

    it("later puts remove stale leftovers of crashed writers, and leave fresh ones (a writer may be busy)", async () => {
      const root = await tempFolder();
      const store = createLocalObjectStore(root, { staleAfterMs: 60_000 });
      const p = keyPaths(root, "g/k.txt");
      await store.put("g/k.txt", "v1");
      const oldTemp = tempName(p.name, "body", Date.now() - 3_600_000, hex16);
      const freshTemp = tempName(p.name, "meta", Date.now(), hex16);
      const oldSidecar = sidecarName(p.name, "f".repeat(64));
      await writeFile(path.join(p.dir, oldTemp), "old partial");
      await writeFile(path.join(p.dir, freshTemp), "fresh partial");
      await writeFile(path.join(p.dir, oldSidecar), "{}");
      const hourAgo = new Date(Date.now() - 3_600_000);
      await utimes(path.join(p.dir, oldSidecar), hourAgo, hourAgo);
      // Another key's leftovers in the same folder are not this put's business.
      const otherTemp = tempName("other.txt", "body", Date.now() - 3_600_000, hex16);
      await writeFile(path.join(p.dir, otherTemp), "x");

      await store.put("g/k.txt", "v2");
      const left = await readdir(p.dir);
      expect(left).not.toContain(oldTemp);
      expect(left).not.toContain(oldSidecar);
      expect(left).toContain(freshTemp);
      expect(left).toContain(otherTemp);
      expect(text((await store.get("g/k.txt"))!.body)).toBe("v2");
    });

    it("keeps the superseded sidecar for a while, so a reader holding the old body still finds its metadata", async () => {
      const root = await tempFolder();
      const store = createLocalObjectStore(root);
      await store.put("s/k.txt", "v1", { metadata: { v: "1" } });
      await store.put("s/k.txt", "v2", { metadata: { v: "2" } });
      const p = keyPaths(root, "s/k.txt");
      const sidecars = (await readdir(p.dir)).filter((e) => e.endsWith(".meta.json"));
      expect(sidecars.sort()).toEqual(
        [sidecarName("k.txt", await sha256Hex(new TextEncoder().encode("v1"))), sidecarName("k.txt", await sha256Hex(new TextEncoder().encode("v2")))].sort(),
      );
    });
  });

  describe("files the store did not write", () => {
    it("reports a body without its sidecar as an integrity error naming the key", async () => {
      const root = await tempFolder();
      const store = createLocalObjectStore(root);
      await store.put("h/k.txt", "v1");
      await writeFile(path.join(root, "h/k.txt"), "changed behind the store's back");
      const e = await errorOf(store.get("h/k.txt"));
      expect(e.code).toBe("integrity");
      expect(e.message).toContain('"h/k.txt"');
      expect(e.message).toContain("no metadata sidecar");
    });

    it("reports a damaged sidecar as an integrity error", async () => {
      const root = await tempFolder();
      const store = createLocalObjectStore(root);
      await store.put("h/k.txt", "v1");
      const p = keyPaths(root, "h/k.txt");
      await writeFile(path.join(p.dir, sidecarName(p.name, await sha256Hex(new TextEncoder().encode("v1")))), "{not json");
      const e = await errorOf(store.get("h/k.txt"));
      expect(e.code).toBe("integrity");
      expect(e.message).toContain("not valid JSON");
    });

    it("does not list the store's own files or names that are not valid keys", async () => {
      const root = await tempFolder();
      const store = createLocalObjectStore(root);
      await store.put("i/a.txt", "x");
      await writeFile(path.join(root, "i", "back\\slash"), "x");
      await writeFile(path.join(root, "i", ".~stray"), "x");
      expect((await store.list()).map((o) => o.key)).toEqual(["i/a.txt"]);
    });
  });

  describe("file/folder clashes", () => {
    it("rejects a key under an existing object with a conflict naming both", async () => {
      const root = await tempFolder();
      const store = createLocalObjectStore(root);
      await store.put("a/b", "object");
      const e = await errorOf(store.put("a/b/c.txt", "x"));
      expect(e.code).toBe("conflict");
      expect(e.message).toContain('"a/b/c.txt"');
      expect(e.message).toContain('"a/b"');
      expect(text((await store.get("a/b"))!.body)).toBe("object");
    });

    it("rejects a key that is a folder of other keys", async () => {
      const root = await tempFolder();
      const store = createLocalObjectStore(root);
      await store.put("a/b/c.txt", "x");
      const e = await errorOf(store.put("a/b", "x"));
      expect(e.code).toBe("conflict");
      expect(e.message).toContain('keys under "a/b/"');
      expect((await store.list()).map((o) => o.key)).toEqual(["a/b/c.txt"]);
      expect(await filesUnder(path.join(root, "a"))).toEqual(["b/" + sidecarName("c.txt", await sha256Hex(new TextEncoder().encode("x"))), "b/c.txt"]);
    });
  });

  it("rejects key segments longer than a file name can be", async () => {
    const store = createLocalObjectStore(await tempFolder());
    const e = await errorOf(store.put(`k/${"가".repeat(60)}.txt`, "x"));
    expect(e.code).toBe("invalid-key");
    expect(e.message).toContain("170 bytes");
  });

  it("removes the sidecars and the folders a delete leaves empty, but not the root", async () => {
    const root = await tempFolder();
    const store = createLocalObjectStore(root);
    await store.put("x/y/z.txt", "1", { metadata: { a: "b" } });
    await store.put("x/keep.txt", "2");
    await store.delete("x/y/z.txt");
    expect(await filesUnder(root)).toEqual(["x/" + sidecarName("keep.txt", await sha256Hex(new TextEncoder().encode("2"))), "x/keep.txt"]);
    await expect(stat(path.join(root, "x/y"))).rejects.toThrow();
    await store.delete("x/keep.txt");
    expect(await readdir(root)).toEqual([]);
  });

  it("puts again after a delete removed the folder (and in parallel with deletes)", async () => {
    const root = await tempFolder();
    const store = createLocalObjectStore(root);
    for (let round = 0; round < 20; round++) {
      await Promise.all([store.put("r/a/x.txt", `x${round}`), store.delete("r/a/y.txt"), store.put("r/a/y.txt", "y"), store.delete("r/a/x.txt")]);
      for (const key of ["r/a/x.txt", "r/a/y.txt"]) {
        const got = await store.get(key); // null or whole: never a body without metadata
        if (got) expect(got.sha256).toBe(await sha256Hex(got.body));
      }
    }
  });

  it("surfaces storage faults as ObjectStoreError naming the operation and key", async () => {
    const root = await tempFolder();
    const blocker = path.join(root, "file");
    await writeFile(blocker, "not a folder");
    const store = createLocalObjectStore(path.join(blocker, "store"));
    const e = await errorOf(store.put("a.txt", "x"));
    expect(e.operation).toBe("put");
    expect(e.key).toBe("a.txt");
    expect(e.code).toBe("storage");
    expect(e.transient).toBe(false);
    expect(e.message).toMatch(/^object store put "a\.txt": writing failed: /);
    expect(await store.get("a.txt")).toBeNull();
  });
});
