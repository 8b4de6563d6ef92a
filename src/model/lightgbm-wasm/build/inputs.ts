// Fingerprints shared by build.ts and check.ts: the same function decides what "the inputs" are.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import * as config from "./config.ts";

export const buildDir = new URL("./", import.meta.url);
export const distDir = new URL("../dist/", import.meta.url);
export const DIST_FILES = ["lightgbm.wasm", "lightgbm.mjs"] as const;

export function sha256(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

export async function sha256File(url: URL): Promise<string> {
  return sha256(await readFile(url));
}

/** Everything that determines the output bytes, with one hash over all of it. */
export async function describeInputs() {
  const patches: Record<string, string> = {};
  for (const p of config.PATCHES) patches[p] = await sha256File(new URL(p, buildDir));
  const inputs = {
    lightgbmPackage: config.LIGHTGBM_NPM_PACKAGE,
    tarballIntegrity: config.LIGHTGBM_NPM_INTEGRITY,
    emccVersion: config.EMCC_VERSION,
    patches,
    sources: [...config.SOURCE_GLOBS, ...config.EXTRA_SOURCES],
    compileFlags: config.COMPILE_FLAGS,
    includeDirs: config.INCLUDE_DIRS,
    linkFlags: config.LINK_FLAGS,
    exportedFunctions: config.EXPORTED_FUNCTIONS,
  };
  return { ...inputs, inputsSha256: sha256(JSON.stringify(inputs)) };
}
