// A model text accepted only if its checksum matches: verify first, then parse (all or nothing).
import type { Model } from "./model.ts";
import { parseModel } from "./parse-model.ts";
import { verifySha256 } from "./sha256.ts";

/** Checks the text's SHA-256 against `expectedSha256Hex`, then parses it. Rejects without parsing on a mismatch. */
export async function parseVerifiedModel(text: string, expectedSha256Hex: string, what = "model text"): Promise<Model> {
  await verifySha256(text, expectedSha256Hex, what);
  return parseModel(text);
}
