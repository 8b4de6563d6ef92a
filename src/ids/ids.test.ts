import { describe, expect, it } from "vitest";
import { randomHex } from "./random.ts";
import { bytesToHex, sha256Hex } from "./sha256.ts";

const ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

describe("ids and hashing", () => {
  it("hashes text as UTF-8 and bytes (any view) alike", async () => {
    const bytes = new TextEncoder().encode("abc");
    expect(await sha256Hex("abc")).toBe(ABC);
    expect(await sha256Hex(bytes)).toBe(ABC);
    expect(await sha256Hex(bytes.buffer)).toBe(ABC);
    const shared = new Uint8Array(new SharedArrayBuffer(3));
    shared.set(bytes);
    expect(await sha256Hex(shared)).toBe(ABC);
    expect(bytesToHex(new Uint8Array([0, 15, 255]))).toBe("000fff");
  });

  it("makes random lowercase hex of the asked length", () => {
    const ids = new Set(Array.from({ length: 50 }, () => randomHex(4)));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}$/);
    expect(ids.size).toBeGreaterThan(45);
    expect(randomHex(8)).toMatch(/^[0-9a-f]{16}$/);
  });
});
