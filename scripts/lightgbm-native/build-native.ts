// Builds native LightGBM (same source and patch as the wasm build, single-threaded: no OpenMP) and
// runner.c into .cache/lightgbm-native/. Skips whatever is already built. Used by the fixture script
// and by `npm run bench:lightgbm`.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { cacheDir, prepareSource } from "../../src/model/lightgbm-wasm/build/source.ts";

const run = promisify(execFile);
const log = (msg: string) => process.stderr.write(`[lightgbm-native] ${msg}\n`);

export async function buildNative(): Promise<{ runner: string; lib: string }> {
  const out = `${cacheDir}lightgbm-native/`;
  const lib = `${out}build/lib_lightgbm.so`;
  const runner = `${out}runner`;
  const lgb = await prepareSource(log);
  if (!existsSync(lib)) {
    log("cmake -DUSE_OPENMP=OFF (about 2 minutes on 2 cores)");
    await run("cmake", ["-S", lgb, "-B", `${out}build`, "-DCMAKE_BUILD_TYPE=Release", "-DUSE_OPENMP=OFF"], { maxBuffer: 1 << 24 });
    await run("make", ["-C", `${out}build`, `-j${cpus().length}`, "_lightgbm"], { maxBuffer: 1 << 26 });
    // LightGBM's CMake writes the library into the source root.
    await run("cp", [`${lgb}lib_lightgbm.so`, lib]);
  }
  const src = fileURLToPath(new URL("./runner.c", import.meta.url));
  await run("cc", ["-O2", "-o", runner, src, `-I${lgb}include`, `-L${out}build`, "-l_lightgbm", `-Wl,-rpath,${out}build`, "-lm"]);
  return { runner, lib };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  buildNative().then(
    (r) => log(`ready: ${r.runner}`),
    (e: unknown) => {
      log((e as Error).message);
      process.exit(1);
    },
  );
}
