// LightGBM's C++ source, from the npm package lightgbm@1.0.27, checked against the pinned integrity
// and patched with our reviewed patches. Shared by the wasm build and the native reference build.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import * as config from "./config.ts";
import { buildDir } from "./inputs.ts";

const run = promisify(execFile);

/** The repository's cache folder (git-ignored). */
export const cacheDir = fileURLToPath(new URL("../../../../.cache/", import.meta.url));

/** Unpacks and patches the source under `${cacheDir}lightgbm-src/` (once) and returns LightGBM's root. */
export async function prepareSource(log: (msg: string) => void): Promise<string> {
  const root = `${cacheDir}lightgbm-src/`;
  const lgb = `${root}${config.LIGHTGBM_SOURCE_DIR}/`;
  const stamp = `${root}.prepared`;
  const patchHashes = await Promise.all(
    config.PATCHES.map(async (p) =>
      createHash("sha256")
        .update(await readFile(new URL(p, buildDir)))
        .digest("hex"),
    ),
  );
  const want = JSON.stringify([config.LIGHTGBM_NPM_INTEGRITY, patchHashes]);
  if (existsSync(stamp) && (await readFile(stamp, "utf8")) === want) return lgb;

  const packDir = `${cacheDir}pack/`;
  await mkdir(packDir, { recursive: true });
  log(`npm pack ${config.LIGHTGBM_NPM_PACKAGE}`);
  const { stdout } = await run("npm", ["pack", config.LIGHTGBM_NPM_PACKAGE, "--json", "--pack-destination", packDir], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const [info] = JSON.parse(stdout) as { filename: string }[];
  if (!info) throw new Error("npm pack printed no package");
  const tgz = `${packDir}${info.filename}`;
  const actual = `sha512-${createHash("sha512")
    .update(await readFile(tgz))
    .digest("base64")}`;
  if (actual !== config.LIGHTGBM_NPM_INTEGRITY) {
    throw new Error(`tarball integrity mismatch: expected ${config.LIGHTGBM_NPM_INTEGRITY}, got ${actual}`);
  }
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  await run("tar", ["xzf", tgz, "-C", root]);
  for (const p of config.PATCHES) {
    log(`applying ${p}`);
    await run("patch", ["-p1", "--forward", "-d", lgb, "-i", fileURLToPath(new URL(p, buildDir))]);
  }
  await writeFile(stamp, want);
  return lgb;
}
