// The R2 store inside workerd, against the OBJECTS bucket binding from wrangler.toml (local
// simulation by the Workers runtime): the shared contract, plus R2's own pagination, checksums and
// error handling.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Env } from "./env.ts";
import { ObjectStoreError } from "../../ports/object-store.ts";
import { objectStoreContract } from "../../storage/object-store.contract.ts";
import { withRetries } from "../../storage/with-retries.ts";
import { createR2ObjectStore } from "./r2-object-store.ts";

const bucket = (env as unknown as Env).OBJECTS;

async function emptyBucket(): Promise<void> {
  let cursor: string | undefined;
  do {
    const listed = await bucket.list(cursor ? { cursor } : {});
    if (listed.objects.length > 0) await bucket.delete(listed.objects.map((o) => o.key));
    cursor = listed.truncated ? listed.cursor : undefined;
  } while (cursor);
}

objectStoreContract("R2 (workerd)", {
  create: async () => {
    await emptyBucket();
    return createR2ObjectStore(bucket);
  },
  cleanup: emptyBucket,
});

describe("R2 object store", () => {
  it("needs more than one R2 list call for 1001 keys, and list() reads them all", async () => {
    await emptyBucket();
    const store = createR2ObjectStore(bucket);
    const keys = Array.from({ length: 1001 }, (_, i) => `p/${String(i).padStart(4, "0")}`);
    for (let i = 0; i < keys.length; i += 100) await Promise.all(keys.slice(i, i + 100).map((k) => store.put(k, "x")));
    const raw = await bucket.list({ prefix: "p/" });
    expect(raw.truncated).toBe(true);
    expect(raw.objects.length).toBeLessThanOrEqual(1000);
    expect((await store.list("p/")).map((o) => o.key)).toEqual(keys);
    await emptyBucket();
  });

  it("sends the body's SHA-256 with put, so R2 keeps it as the object's checksum", async () => {
    await emptyBucket();
    const store = createR2ObjectStore(bucket);
    await store.put("sum/abc.txt", "abc", { contentType: "text/plain" });
    const head = await bucket.head("sum/abc.txt");
    expect(head!.checksums.toJSON().sha256).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(head!.httpMetadata?.contentType).toBe("text/plain");
    await emptyBucket();
  });

  it("reads objects written to the bucket directly (another writer, no checksum)", async () => {
    await emptyBucket();
    await bucket.put("direct/k.json", '{"a":"서울"}', { customMetadata: { from: "elsewhere" } });
    const got = await createR2ObjectStore(bucket).get("direct/k.json");
    expect(new TextDecoder().decode(got!.body)).toBe('{"a":"서울"}');
    expect(got!.metadata).toEqual({ from: "elsewhere" });
    expect(got!.contentType).toBeUndefined();
    await emptyBucket();
  });

  it("surfaces binding failures as ObjectStoreError, and withRetries gets past rate limits", async () => {
    await emptyBucket();
    let failures = 2;
    const flaky = new Proxy(bucket, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (prop !== "put" || typeof value !== "function") return typeof value === "function" ? value.bind(target) : value;
        return async (...args: unknown[]) => {
          if (failures-- > 0) throw new Error("put: Reduce your concurrent request rate for the same object. (10058)");
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const plain = createR2ObjectStore(flaky);
    const e = await plain.put("flaky/k.txt", "x").then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(ObjectStoreError);
    expect((e as ObjectStoreError).transient).toBe(true);
    expect((e as ObjectStoreError).message).toContain('put "flaky/k.txt"');
    expect((e as ObjectStoreError).message).toContain("10058");

    const retrying = withRetries(createR2ObjectStore(flaky), { attempts: 3, baseDelayMs: 1 });
    await retrying.put("flaky/k.txt", "안녕");
    expect(failures).toBe(-1);
    expect(new TextDecoder().decode((await retrying.get("flaky/k.txt"))!.body)).toBe("안녕");
    await emptyBucket();
  });
});
