// npm run bench:train — one year of hourly data end to end: the daily training pipeline (check data,
// dataset, LightGBM training, holdout evaluation, register, gate) on the bundled real Seoul year
// (8,760 hours) in an in-memory libSQL database. Prints wall time, CPU time and peak memory per run
// and per step, so we know it fits a Workers/Workflows step's CPU budget.
import { readFile } from "node:fs/promises";
import process from "node:process";
import { createClient } from "@libsql/client";
import { migrate } from "../src/db/migrate.ts";
import { runImportCsv } from "../src/jobs/import-csv.ts";
import { runTraining } from "../src/jobs/train/run-training.ts";
import { loadLightGBM } from "../src/model/lightgbm-wasm/node.ts";
import { systemClock } from "../src/ports/clock.ts";
import { silentLogger } from "../src/ports/logger.ts";
import { createMemoryObjectStore } from "../src/storage/memory-object-store.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function main() {
  const bytes = new Uint8Array(await readFile(new URL("../data/seoul/SeoulBikeData.csv", import.meta.url)));
  const rows: { wall: number; cpu: number; steps: Record<string, number> }[] = [];
  let importMs = 0;
  for (let r = 0; r < RUNS + 1; r++) {
    const db = createClient({ url: ":memory:" });
    await migrate(db);
    const objects = createMemoryObjectStore();
    const t0 = performance.now();
    await runImportCsv({ db, objects, clock: systemClock, logger: silentLogger }, { bytes, fileName: "SeoulBikeData.csv" });
    importMs = performance.now() - t0;
    const cpu0 = process.cpuUsage();
    const w0 = performance.now();
    const run = await runTraining(
      { db, objects, clock: systemClock, logger: silentLogger, loadLightGBM: () => loadLightGBM(), code: { packageVersion: "bench" } },
      { location: "seoul", runDate: "2018-12-01", trigger: "cli" },
    );
    const wall = performance.now() - w0;
    const cpu = process.cpuUsage(cpu0);
    if (run.status !== "succeeded") throw new Error(`run failed at ${run.errorStep}: ${run.errorMessage}`);
    db.close();
    if (r === 0) continue; // warm-up (compiles the wasm, JIT)
    rows.push({ wall, cpu: (cpu.user + cpu.system) / 1000, steps: Object.fromEntries(run.steps.map((s) => [s.step, s.durationMs ?? 0])) });
  }
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(`bench:train — daily pipeline on 8,760 real Seoul hours (1 year), node ${process.version}, median of ${RUNS} runs after 1 warm-up`);
  console.log(`import of the CSV into libSQL (not part of the pipeline): ${importMs.toFixed(0)} ms (last run)`);
  console.log(`pipeline wall time ${median(rows.map((r) => r.wall)).toFixed(0)} ms, CPU time ${median(rows.map((r) => r.cpu)).toFixed(0)} ms, peak RSS of the process ${peakRssMb.toFixed(0)} MB`);
  console.log("step            median ms");
  for (const step of Object.keys(rows[0]!.steps)) console.log(`${step.padEnd(15)} ${median(rows.map((r) => r.steps[step]!)).toFixed(0).padStart(9)}`);
}

main().catch((e: unknown) => {
  console.error(`bench:train: ${(e as Error).message}`);
  process.exit(1);
});
