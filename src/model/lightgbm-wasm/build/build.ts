// npm run build:lightgbm-wasm — reproducible build of LightGBM (from the npm package lightgbm@1.0.27)
// to a single-threaded WebAssembly module with ES-module glue, using Debian's emscripten.
// Writes dist/lightgbm.{wasm,mjs}, dist/LICENSE-LightGBM and dist/manifest.json.
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import * as config from "./config.ts";
import { cacheDir, prepareSource } from "./source.ts";
import { describeInputs, DIST_FILES, distDir, sha256, sha256File } from "./inputs.ts";

const run = promisify(execFile);
const work = `${cacheDir}lightgbm-wasm-build/`;
const emccEnv = { ...process.env, NODE_PATH: process.env.NODE_PATH ?? "/usr/share/nodejs" };

function log(msg: string) {
  process.stderr.write(`[build:lightgbm-wasm] ${msg}\n`);
}

async function emccVersion(): Promise<string> {
  try {
    const { stdout } = await run("emcc", ["--version"], { env: emccEnv });
    const m = /emcc \(Emscripten[^)]*\) (\d+\.\d+\.\d+)/.exec(stdout);
    if (!m?.[1]) throw new Error(`cannot read the version from: ${stdout.split("\n")[0]}`);
    return m[1];
  } catch (e) {
    throw new Error(`emcc not found or not working (install Debian's emscripten: apt-get install -y emscripten): ${(e as Error).message}`);
  }
}

async function listSources(lgb: string): Promise<string[]> {
  const out: string[] = [];
  for (const dir of config.SOURCE_GLOBS) {
    for (const f of (await readdir(`${lgb}${dir}`)).sort()) if (f.endsWith(".cpp")) out.push(`${dir}/${f}`);
  }
  return [...out, ...config.EXTRA_SOURCES];
}

function emcc(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("emcc", args, { cwd, env: emccEnv, stdio: ["ignore", "inherit", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`emcc ${args.at(-1)} failed (${code}):\n${err}`))));
  });
}

async function main() {
  const started = performance.now();
  const version = await emccVersion();
  if (version !== config.EMCC_VERSION) {
    throw new Error(`emcc ${version} found; this build is pinned to ${config.EMCC_VERSION} (Debian bookworm's emscripten)`);
  }
  const lgb = await prepareSource(log);
  const lightgbmVersion = (await readFile(`${lgb}VERSION.txt`, "utf8")).trim();
  const sources = await listSources(lgb);
  // Objects are cached by everything that affects compilation, so a change to link flags or exports relinks only.
  const inputs = await describeInputs();
  const compileKey = sha256(JSON.stringify([inputs.tarballIntegrity, inputs.patches, config.COMPILE_FLAGS, config.INCLUDE_DIRS, version])).slice(0, 16);
  const objDir = `${work}obj-${compileKey}/`;
  await mkdir(objDir, { recursive: true });
  const includes = config.INCLUDE_DIRS.map((d) => `-I${d}`);
  const queue = [...sources];
  const objects: string[] = sources.map((s) => `${objDir}${s.replaceAll("/", "__")}.o`);
  const jobs = Math.max(1, cpus().length);
  log(`compiling ${sources.length} files with ${jobs} jobs`);
  await Promise.all(
    Array.from({ length: jobs }, async () => {
      for (let s = queue.shift(); s; s = queue.shift()) {
        const obj = `${objDir}${s.replaceAll("/", "__")}.o`;
        if (existsSync(obj)) continue;
        await emcc([...config.COMPILE_FLAGS, ...includes, "-c", "-o", `${obj}.tmp`, s], lgb);
        await rename(`${obj}.tmp`, obj);
        log(`  ${s}`);
      }
    }),
  );
  log("linking");
  const outDir = fileURLToPath(distDir);
  await mkdir(outDir, { recursive: true });
  const exported = `-sEXPORTED_FUNCTIONS=${config.EXPORTED_FUNCTIONS.map((f) => `_${f}`).join(",")}`;
  await emcc([...config.LINK_FLAGS, exported, "-o", `${outDir}lightgbm.mjs`, ...objects], lgb);
  await copyFile(`${lgb}LICENSE`, `${outDir}LICENSE-LightGBM`);

  const outputs: Record<string, { sha256: string; bytes: number }> = {};
  for (const f of DIST_FILES) {
    const data = await readFile(new URL(f, distDir));
    outputs[f] = { sha256: sha256(data), bytes: data.byteLength };
  }
  const manifest = {
    name: "lightgbm-wasm",
    lightgbmVersion,
    lightgbmLicense: { file: "LICENSE-LightGBM", sha256: await sha256File(new URL("LICENSE-LightGBM", distDir)) },
    inputs,
    outputs,
  };
  await writeFile(new URL("manifest.json", distDir), `${JSON.stringify(manifest, null, 2)}\n`);
  log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s: wasm ${outputs["lightgbm.wasm"]?.bytes} bytes`);
}

main().catch((e: unknown) => {
  process.stderr.write(`build:lightgbm-wasm: ${(e as Error).message}\n`);
  process.exit(1);
});
