import { describe, expect, it } from "vitest";
import { ObjectStoreError } from "../ports/object-store.ts";
import type { ObjectStore, ObjectStoreOperation } from "../ports/object-store.ts";
import { createMemoryObjectStore } from "./memory-object-store.ts";
import { withRetries } from "./with-retries.ts";

/** A memory store whose operations first fail `failures` times with the given error. */
function flaky(failures: number, make: (op: ObjectStoreOperation, key: string) => Error) {
  const inner = createMemoryObjectStore();
  const calls: string[] = [];
  let left = failures;
  const gate = async <T>(op: ObjectStoreOperation, key: string, call: () => Promise<T>): Promise<T> => {
    calls.push(`${op} ${key}`);
    if (left > 0) {
      left--;
      throw make(op, key);
    }
    return call();
  };
  const store: ObjectStore = {
    put: (k, b, o) => gate("put", k, () => inner.put(k, b, o)),
    get: (k) => gate("get", k, () => inner.get(k)),
    head: (k) => gate("head", k, () => inner.head(k)),
    list: (p) => gate("list", p ?? "", () => inner.list(p)),
    listPage: (p, o) => gate("list", p, () => inner.listPage(p, o)),
    delete: (k) => gate("delete", k, () => inner.delete(k)),
  };
  return { store, inner, calls, reset: (n: number) => void (left = n) };
}

const busy = (op: ObjectStoreOperation, key: string) => new ObjectStoreError(op, key, "EBUSY: resource busy", { code: "storage", transient: true });
const noSleep = { sleep: async () => {}, random: () => 0 };

describe("withRetries", () => {
  it("retries transient faults of every operation until they pass", async () => {
    const f = flaky(0, busy);
    const store = withRetries(f.store, { attempts: 3, ...noSleep });
    f.reset(2);
    await store.put("a/k.txt", "v", { metadata: { m: "1" } });
    f.reset(2);
    expect((await store.get("a/k.txt"))!.metadata).toEqual({ m: "1" });
    f.reset(2);
    expect((await store.head("a/k.txt"))!.size).toBe(1);
    f.reset(2);
    expect((await store.list("a/")).map((o) => o.key)).toEqual(["a/k.txt"]);
    f.reset(2);
    expect((await store.listPage("a/", { limit: 1 })).objects).toHaveLength(1);
    f.reset(2);
    await store.delete("a/k.txt");
    expect(await f.inner.get("a/k.txt")).toBeNull();
    expect(f.calls.filter((c) => c === "put a/k.txt")).toHaveLength(3);
    expect(f.calls.filter((c) => c === "delete a/k.txt")).toHaveLength(3);
  });

  it("gives up after the last attempt with the operation, key and attempt count in the message", async () => {
    const f = flaky(10, busy);
    const store = withRetries(f.store, { attempts: 4, ...noSleep });
    let error: unknown;
    await store.put("k.txt", "v").catch((e: unknown) => (error = e));
    expect(error).toBeInstanceOf(ObjectStoreError);
    const e = error as ObjectStoreError;
    expect(e.message).toBe('object store put "k.txt": EBUSY: resource busy (gave up after 4 attempts)');
    expect(e.transient).toBe(true);
    expect(e.cause).toBeInstanceOf(ObjectStoreError);
    expect(f.calls).toHaveLength(4);
  });

  it("does not retry errors that are not transient, nor foreign errors", async () => {
    const permanent = flaky(5, (op, key) => new ObjectStoreError(op, key, "metadata too large", { code: "storage", transient: false }));
    await expect(withRetries(permanent.store, noSleep).put("k", "v")).rejects.toThrow("metadata too large");
    expect(permanent.calls).toHaveLength(1);

    const foreign = flaky(5, () => new TypeError("bug"));
    await expect(withRetries(foreign.store, noSleep).get("k")).rejects.toThrow(TypeError);
    expect(foreign.calls).toHaveLength(1);

    const inner = createMemoryObjectStore();
    await expect(withRetries(inner, noSleep).put("../bad", "v")).rejects.toMatchObject({ code: "invalid-key" });
  });

  it("backs off exponentially with jitter, capped, and reports each retry", async () => {
    const f = flaky(5, busy);
    const slept: number[] = [];
    const retries: string[] = [];
    const store = withRetries(f.store, {
      attempts: 6,
      baseDelayMs: 100,
      maxDelayMs: 500,
      sleep: async (ms) => void slept.push(ms),
      random: () => 0.999999,
      onRetry: ({ operation, key, attempt, delayMs }) => retries.push(`${operation} ${key} #${attempt} ${delayMs}`),
    });
    await store.get("k");
    expect(slept).toEqual([100, 200, 400, 500, 500]);
    expect(retries[0]).toBe("get k #1 100");
    const half = flaky(1, busy);
    const halfSlept: number[] = [];
    await withRetries(half.store, { baseDelayMs: 100, sleep: async (ms) => void halfSlept.push(ms), random: () => 0 }).get("k");
    expect(halfSlept).toEqual([50]);
  });

  it("rejects a policy without attempts", () => {
    expect(() => withRetries(createMemoryObjectStore(), { attempts: 0 })).toThrow(RangeError);
  });
});
