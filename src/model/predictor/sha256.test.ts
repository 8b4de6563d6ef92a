// The checksum helper a model loader runs before it accepts an artifact.
import { describe, expect, it } from "vitest";
import * as fx from "../lightgbm-wasm/fixtures/synthetic-missing.fixture.ts";
import { ChecksumMismatchError, ModelTextError } from "./errors.ts";
import { sha256Hex, verifySha256 } from "./sha256.ts";
import { parseVerifiedModel } from "./verified-model.ts";

describe("sha256Hex / verifySha256 / parseVerifiedModel", () => {
  it("hashes text as UTF-8, and bytes, to lower-case hex (FIPS 180-2 vectors)", async () => {
    expect(await sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(await sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(await sha256Hex(new TextEncoder().encode("abc"))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(await sha256Hex(new TextEncoder().encode("abc").buffer)).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(await sha256Hex("날씨")).toBe("fe655cf1d979cf3db76c247fd5adc30c9b7d5e56bd83d5de8d00bf5533d73ff8");
  });

  it("accepts the right checksum in either case and refuses a wrong one, naming both", async () => {
    await expect(verifySha256("abc", "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD")).resolves.toBeUndefined();
    const wrong = "0".repeat(64);
    await expect(verifySha256("abc", wrong, "models/x.txt")).rejects.toThrow(ChecksumMismatchError);
    await expect(verifySha256("abc", wrong, "models/x.txt")).rejects.toThrow(/models\/x.txt: sha256 is ba7816bf.*, expected 0{64}/);
    await expect(verifySha256("abc", "xyz")).rejects.toThrow(/is not 64 hex digits/);
  });

  it("parses a model only when its checksum matches", async () => {
    const sha = await sha256Hex(fx.nativeModel);
    const model = await parseVerifiedModel(fx.nativeModel, sha);
    expect(model.info.numTrees).toBe(60);
    // A cut that parsing alone would accept (only the parameters section lost) is caught by the checksum.
    const cut = fx.nativeModel.slice(0, fx.nativeModel.indexOf("\nparameters:"));
    await expect(parseVerifiedModel(cut, sha)).rejects.toThrow(ChecksumMismatchError);
    const damaged = fx.nativeModel.replace("version=v4", "version=v9");
    await expect(parseVerifiedModel(damaged, await sha256Hex(damaged))).rejects.toThrow(ModelTextError);
  });
});
