// npm run bench:train — the daily training pipeline end to end (check data, dataset, the 24 h model,
// the hourly 1..48 h model set and its calibration, per-lead holdout evaluation, register, gate) in an
// in-memory libSQL database, on two years of hourly data, timed per step.
// Data: two years of real hourly weather at one site, data/beijing-multisite Aotizhongxin
// (2015-03..2017-02, 17,544 hours), imported with its column mapping; run date 2017-02-27 (KST).
// Per step: CPU time (process.cpuUsage), the wasm linear memory of a FRESH LightGBM instance per step
// (a Workflows step may run in a fresh isolate; wasm memory never shrinks, so this is its peak), and
// the JS heap + array buffers at the end of the step before any forced GC (run with --expose-gc so
// each step starts from a collected heap). Budgets: 30 s CPU per Workflows step, 128 MB memory.
import { readFile } from "node:fs/promises";
import process from "node:process";
import { createClient } from "@libsql/client";
import { migrate } from "../src/db/migrate.ts";
import { runImportCsv } from "../src/jobs/import-csv.ts";
import { parseColumnMappingJson } from "../src/jobs/import/column-map.ts";
import { RunLog } from "../src/jobs/pipeline/run-log.ts";
import { inProcessExecutor, type PipelineExecutor, runPipeline } from "../src/jobs/pipeline/runner.ts";
import { trainingPipeline } from "../src/jobs/train/pipeline.ts";
import { trainingDeps } from "../src/jobs/train/run-training.ts";
import type { LightGBM } from "../src/model/lightgbm-wasm/lightgbm.ts";
import { loadLightGBM } from "../src/model/lightgbm-wasm/node.ts";
import { systemClock } from "../src/ports/clock.ts";
import { silentLogger } from "../src/ports/logger.ts";
import { createMemoryObjectStore } from "../src/storage/memory-object-store.ts";

const LOCATION = "beijing-aotizhongxin";
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const MB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;

/** Wasm memory of the step's LightGBM instance, if the step loaded one (a function so TS does not narrow the holder). */
function wasmBytes(h: { lgb?: LightGBM }): number {
  return h.lgb?.memoryBytes() ?? 0;
}

interface StepStat {
  cpuMs: number;
  wallMs: number;
  wasmMb: number;
  jsMb: number;
}

async function main() {
  const dir = new URL("../data/beijing-multisite/", import.meta.url);
  const bytes = new Uint8Array(await readFile(new URL("PRSA_Data_Aotizhongxin_20150301-20170228.csv", dir)));
  const mapping = parseColumnMappingJson(await readFile(new URL("mapping.json", dir), "utf8"));
  const runs: Record<string, StepStat>[] = [];
  let hours = 0;
  for (let r = 0; r < RUNS + 1; r++) {
    const db = createClient({ url: ":memory:" });
    await migrate(db);
    const objects = createMemoryObjectStore();
    const deps0 = { db, objects, clock: systemClock, logger: silentLogger };
    const res = await runImportCsv(deps0, { bytes, fileName: "PRSA_Data_Aotizhongxin_20150301-20170228.csv", mapping });
    if (res.status !== "succeeded") throw new Error(`import failed: ${JSON.stringify(res).slice(0, 300)}`);
    hours = Number((await db.execute(`SELECT count(*) AS n FROM observations WHERE location_id = '${LOCATION}'`)).rows[0]!.n);
    const fresh: { lgb?: LightGBM } = {};
    const deps = {
      ...trainingDeps({ ...deps0, loadLightGBM: () => loadLightGBM(), code: { packageVersion: "bench" } }),
      loadLightGBM: async () => (fresh.lgb ??= await loadLightGBM()),
    };
    const stats: Record<string, StepStat> = {};
    const base = inProcessExecutor();
    const executor: PipelineExecutor = {
      once: base.once,
      step: async (step, attempt) => {
        fresh.lgb = undefined; // a fresh LightGBM (wasm memory) for each step
        gc?.();
        const c0 = process.cpuUsage();
        const w0 = performance.now();
        const out = await base.step(step, attempt);
        const c = process.cpuUsage(c0);
        const m = process.memoryUsage();
        stats[step.name] = {
          cpuMs: (c.user + c.system) / 1000,
          wallMs: performance.now() - w0,
          wasmMb: wasmBytes(fresh) / MB,
          jsMb: (m.heapUsed + m.arrayBuffers) / MB,
        };
        return out;
      },
    };
    const run = await runPipeline(
      trainingPipeline(),
      deps,
      {
        db,
        clock: systemClock,
        log: new RunLog(db, systemClock),
        logger: silentLogger,
        locationId: LOCATION,
        runDate: "2017-02-27",
        trigger: "cli",
        runner: "in_process",
      },
      executor,
    );
    if (run.status !== "succeeded") throw new Error(`run failed at ${run.errorStep}: ${run.errorMessage}`);
    db.close();
    if (r > 0) runs.push(stats); // the first run is a warm-up (wasm compile, JIT)
  }
  console.log(
    `bench:train — daily pipeline on ${hours} hours (2 years, ${LOCATION}), run date 2017-02-27; node ${process.version}; median of ${RUNS} runs after 1 warm-up${gc ? "" : " (run with --expose-gc for per-step heap figures)"}`,
  );
  console.log(`peak RSS of the whole process (all steps, every run): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  console.log("step              CPU ms   wall ms  wasm MB  JS MB  (budget: 30,000 ms CPU, 128 MB)");
  for (const step of Object.keys(runs[0]!)) {
    const s = (k: keyof StepStat) => median(runs.map((x) => x[step]![k]));
    console.log(
      `${step.padEnd(16)} ${s("cpuMs").toFixed(0).padStart(7)} ${s("wallMs").toFixed(0).padStart(9)} ${s("wasmMb").toFixed(0).padStart(8)} ${s("jsMb").toFixed(0).padStart(6)}`,
    );
  }
}

main().catch((e: unknown) => {
  console.error(`bench:train: ${(e as Error).message}`);
  process.exit(1);
});
