// npm run bench:cold — cold start to the first forecast, in fresh Node processes (bench/serve-cold.ts):
// module loading of the serving app bundled with esbuild (as wrangler ships the Worker), building the
// app, the production pointer, the artifacts + SHA-256, the model load, the observation window and the
// first GET /v1/forecast. Local libSQL file and a memory object store: no network round trip counted.
// Node's own startup is measured in the same run (`node -e ''`, wall time, and the time to the first
// user statement) and is NOT part of the serve-cold figures, which start at the child's first statement.
// Variants, interleaved sample by sample so that the machine's load hits all alike:
//   lean + compiled: the app as shipped, the version's compiled model (model.bin) loaded;
//   lean + text:     the same with model.bin left out (serving parses model.txt, the fallback);
//   eager + compiled: the bundle also importing the dashboard and docs at startup (before they were lazy).
// BENCH_COLD_SAMPLES (default 7) samples per variant; prints median, min and max.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import * as esbuild from "esbuild";
import { DEFAULT_RECIPE } from "../src/model/features-recipes.ts";
import { seedSeoulDataDir } from "../test/serve/seoul-data-dir.ts";

const exec = promisify(execFile);
const SAMPLES = Math.max(1, Number(process.env.BENCH_COLD_SAMPLES ?? 7));
const here = (p: string) => new URL(p, import.meta.url).pathname;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function bundle(dir: string, entry: string, name: string): Promise<{ file: string; bytes: number }> {
  const outfile = join(dir, `${name}.mjs`);
  const r = await esbuild.build({
    entryPoints: [here(entry)],
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    minify: true,
    outfile,
    logLevel: "error",
    mainFields: ["module", "main"],
    metafile: true,
  });
  return { file: outfile, bytes: Object.values(r.metafile.outputs)[0]!.bytes };
}

async function timed(args: string[], env: Record<string, string>): Promise<{ wallMs: number; stdout: string }> {
  const t = performance.now();
  const { stdout } = await exec(process.execPath, args, { env: { ...process.env, ...env }, maxBuffer: 1 << 20 });
  return { wallMs: performance.now() - t, stdout };
}

async function main(): Promise<void> {
  console.log(
    `cold bench: ${process.version} on ${process.arch}, ${cpus().length} cores, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}, ${SAMPLES} samples per variant`,
  );
  const dir = await mkdtemp(join(tmpdir(), "nalssi-bench-cold-"));
  try {
    const seeded = await seedSeoulDataDir(dir, [DEFAULT_RECIPE], 40, { compile: true });
    seeded.artifacts[0]!.fitted.booster.free();
    const at = new Date(seeded.last + 30 * 60_000).toISOString();
    const lean = await bundle(dir, "./serve-cold-entry.ts", "lean");
    const eager = await bundle(dir, "./serve-cold-entry-eager.ts", "eager");
    console.log(
      `bundles (minified ESM): lean ${(lean.bytes / 1024).toFixed(0)} KiB, eager ${(eager.bytes / 1024).toFixed(0)} KiB; model ${seeded.versions[0]} (${DEFAULT_RECIPE.params.num_iterations} trees, ${DEFAULT_RECIPE.features.length} features)`,
    );
    const env = { COLD_DATA_DIR: dir, COLD_AT: at };
    const variants: [string, Record<string, string>][] = [
      ["lean + compiled", { ...env, COLD_BUNDLE: lean.file }],
      ["lean + text", { ...env, COLD_BUNDLE: lean.file, COLD_TEXT_ONLY: "1" }],
      ["eager + compiled", { ...env, COLD_BUNDLE: eager.file }],
    ];
    const samples = new Map<string, Record<string, number>[]>(variants.map(([v]) => [v, []]));
    const nodeWall: number[] = [];
    const nodeFirst: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      nodeWall.push((await timed(["-e", ""], {})).wallMs);
      nodeFirst.push(Number((await timed(["-e", "console.log(performance.now())"], {})).stdout.trim()));
      for (const [name, e] of variants) {
        const { stdout, wallMs } = await timed([here("./serve-cold.ts")], e);
        samples.get(name)!.push({ ...(JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, number>), process_wall_ms: wallMs });
      }
    }
    const fmt = (xs: number[]) => `${median(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`;
    console.log(`\nNode's own startup: \`node -e ''\` wall ${fmt(nodeWall)} ms; first user statement at performance.now() = ${fmt(nodeFirst)} ms`);
    const keys = ["import_ms", "build_app_ms", "model_load_ms", "first_forecast_ms", "total_ms", "warm_forecast_ms", "process_wall_ms"];
    const rows = keys.map((k) => ({ phase: k, ...Object.fromEntries(variants.map(([v]) => [v, fmt(samples.get(v)!.map((s) => s[k]!))])) }));
    const w = Object.keys(rows[0]!).map((k) => Math.max(k.length, ...rows.map((r) => String((r as Record<string, string>)[k]).length)));
    console.log("\nmedian (min–max) ms");
    for (const r of [Object.fromEntries(Object.keys(rows[0]!).map((k) => [k, k])), ...rows])
      console.log(
        Object.values(r)
          .map((v, i) => String(v).padStart(w[i]!))
          .join("  "),
      );
    console.log(
      "\nimport_ms: evaluating the bundle; build_app_ms: createServing + createApp; first_forecast_ms: GET /v1/forecast on the new app (pointer, artifacts + SHA-256, model load, window, features, prediction), of which model_load_ms loads the model; total_ms = import + build + first forecast, i.e. after Node's own startup; process_wall_ms: the whole child (Node startup, opening libSQL, copying the artifacts, a second request, exit).",
    );
    const total = median(samples.get("lean + compiled")!.map((s) => s.total_ms!));
    console.log(`target: cold start to the first forecast <= 50 ms after Node's own startup: ${total.toFixed(1)} ms -> ${total <= 50 ? "met" : "NOT met"}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
