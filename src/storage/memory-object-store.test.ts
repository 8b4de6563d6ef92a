import { describe, expect, it } from "vitest";
import { fixedClock } from "../ports/clock.ts";
import { createMemoryObjectStore } from "./memory-object-store.ts";
import { objectStoreContract } from "./object-store.contract.ts";

objectStoreContract("memory", { create: async () => createMemoryObjectStore() });

describe("memory object store", () => {
  it("takes upload times from the injected clock", async () => {
    const clock = fixedClock("2025-05-29T17:15:00Z");
    const store = createMemoryObjectStore({ clock });
    await store.put("a.txt", "x");
    clock.advance(60_000);
    await store.put("b.txt", "y");
    expect((await store.head("a.txt"))!.uploaded.toISOString()).toBe("2025-05-29T17:15:00.000Z");
    expect((await store.get("b.txt"))!.uploaded.toISOString()).toBe("2025-05-29T17:16:00.000Z");
  });

  it("keeps separate stores separate", async () => {
    const a = createMemoryObjectStore();
    const b = createMemoryObjectStore();
    await a.put("k", "x");
    expect(await b.get("k")).toBeNull();
  });
});
