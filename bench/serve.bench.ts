// npm run bench:serve [-- options] — `nalssi serve` against the ceiling, in one run:
//   the ceiling is a minimal node:http server (bench/ceiling-server.ts: reads the body, JSON.parses it,
//   answers a small JSON object); `nalssi serve` is the real bin in a child process over a data folder
//   with a model trained on data/seoul (DEFAULT_RECIPE). Both get the same load from the same tool
//   (wrk -t1 when installed, else autocannon) at each concurrency, ceiling first then serve, case by
//   case, so each ratio compares two measurements taken seconds apart.
//   Cases: POST /v1/predict with 1 row and with 100 rows, GET /v1/forecast with the forecast cache
//   (60 s) and without it (FORECAST_CACHE_SECONDS=0: every request reads the window from libSQL),
//   GET /healthz. Printed: req/s, p50, p99, max (ms), non-2xx, socket errors, ratio_to_ceiling;
//   with --runs N the median over the runs with the spread (min..max).
// Options:
//   --runs N            repeat the whole comparison N times (default 1); report medians and spread
//   --seconds S         seconds per load run (default 4, or BENCH_SECONDS)
//   --conc 1,16,64      concurrencies (connections)
//   --cases a,b         a subset of predict1,predict100,forecast,forecast-nocache,healthz
//   --tool wrk|autocannon  the load tool (default: wrk if on PATH)
//   --workers N         start `nalssi serve --workers N`
//   --promote-during    instead: single-row predict at the highest concurrency for 2 x S seconds,
//                       first quietly, then while another process promotes a second version and
//                       back every 2 s (MODEL_RELOAD_SECONDS=1): p99 and max with and without reloads
//   --cold              also run the cold-start sections (fresh processes; wrangler dev unless
//                       BENCH_WRANGLER=0)
//   --cpu-prof DIR      run serve under node --cpu-prof, profiles written to DIR on exit
// wrk: `apt-get install wrk` (Debian/Ubuntu) or `brew install wrk`; benches do not run in CI.
import { execFile, execFileSync, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve as resolvePath } from "node:path";
import { parseArgs, promisify } from "node:util";
import { DEFAULT_RECIPE } from "../src/model/features-recipes.ts";
import { HOUR_MS } from "../src/model/series.ts";
import { referenceLeadRows } from "../src/serving/testing/fixtures.ts";
import { seedSeoulDataDir, type SeededDataDir } from "../test/serve/seoul-data-dir.ts";
import { startServeProcess, type ServeProcess } from "../test/serve/serve-process.ts";
import { startHranaDevServer } from "../tools/hrana-dev-server/server.ts";
import { defaultTool, type LoadResult, type LoadTool, runLoad } from "./load.ts";

const exec = promisify(execFile);
const here = (p: string) => new URL(p, import.meta.url).pathname;
const bin = here("../bin/nalssi.js");

const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "1" },
    seconds: { type: "string", default: process.env.BENCH_SECONDS ?? "4" },
    conc: { type: "string", default: "1,16,64" },
    cases: { type: "string" },
    tool: { type: "string" },
    workers: { type: "string", default: "1" },
    "promote-during": { type: "boolean", default: false },
    cold: { type: "boolean", default: false },
    "cpu-prof": { type: "string" },
  },
});
const RUNS = Math.max(1, Number(args.runs));
const SECONDS = Math.max(1, Number(args.seconds));
const CONCURRENCY = args.conc.split(",").map(Number);
const TOOL: LoadTool = args.tool === "wrk" || args.tool === "autocannon" ? args.tool : defaultTool();
const WORKERS = Math.max(1, Number(args.workers));
const COLD_SAMPLES = Number(process.env.BENCH_COLD_SAMPLES ?? 7);

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => {
  const s = sorted(xs);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const spread = (xs: number[], f: (x: number) => string) => (xs.length > 1 ? `${f(median(xs))} (${f(Math.min(...xs))}..${f(Math.max(...xs))})` : f(xs[0]!));

function table(rows: Record<string, string | number>[]): string {
  const keys = Object.keys(rows[0]!);
  const w = keys.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length)));
  return [keys.map((k, i) => k.padStart(w[i]!)).join("  "), ...rows.map((r) => keys.map((k, i) => String(r[k]).padStart(w[i]!)).join("  "))].join("\n");
}

interface Case {
  id: string;
  name: string;
  method: "GET" | "POST";
  path: string;
  body?: string;
  /** Which serve process: the default one, or the one with the forecast cache off. */
  server: "cached" | "nocache";
}

// CPU time of a process and its children (Linux /proc): CPU per request is the steadiest figure on a
// shared machine, where req/s also measures what the neighbours are doing.
const CLK_TCK = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();
function cpuSeconds(pid: number): number | null {
  try {
    const stat = (p: string) => {
      const text = readFileSync(`/proc/${p}/stat`, "utf8");
      return text.slice(text.lastIndexOf(")") + 2).split(" ");
    };
    let ticks = 0;
    for (const p of readdirSync("/proc")) {
      if (!/^\d+$/.test(p)) continue;
      try {
        const f = stat(p);
        if (Number(p) === pid || Number(f[1]) === pid) ticks += Number(f[11]) + Number(f[12]);
      } catch {
        // gone meanwhile
      }
    }
    return ticks / CLK_TCK;
  } catch {
    return null;
  }
}
async function measured(pid: number, spec: Parameters<typeof runLoad>[1]): Promise<LoadResult & { cpuUs: number | null }> {
  const c0 = cpuSeconds(pid);
  const r = await runLoad(TOOL, spec);
  const c1 = cpuSeconds(pid);
  return { ...r, cpuUs: c0 === null || c1 === null || r.requests === 0 ? null : ((c1 - c0) * 1e6) / r.requests };
}

function startCeiling(): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [here("./ceiling-server.ts")], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /serving on (\S+)/.exec(out);
      if (m) resolve({ url: m[1]!, pid: child.pid!, stop: async () => (child.kill("SIGTERM"), await exited) });
    });
    void exited.then(() => reject(new Error("the ceiling server exited")));
  });
}

function serveArgs(): string[] {
  return ["--quiet", ...(WORKERS > 1 ? ["--workers", String(WORKERS)] : [])];
}

function serveEnv(extra: Record<string, string>): Record<string, string> {
  const prof = args["cpu-prof"];
  return { MODEL_RELOAD_SECONDS: "30", ...extra, ...(prof ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${resolvePath(prof)}` } : {}) };
}

async function stopServe(s: ServeProcess, label: string): Promise<void> {
  const code = await s.stop();
  if (code !== 0) {
    console.log(`${label}: nalssi serve exited with ${code}: ${s.stderr().slice(-2000)}`);
    process.exitCode = 1;
  }
}

interface Measured {
  case: Case;
  conc: number;
  ceiling: LoadResult & { cpuUs: number | null };
  serve: LoadResult & { cpuUs: number | null };
}

async function compareOnce(dir: string, cases: Case[]): Promise<Measured[]> {
  const ceiling = await startCeiling();
  const servers: Record<Case["server"], ServeProcess | null> = {
    cached: cases.some((c) => c.server === "cached") ? await startServeProcess(dir, serveEnv({}), serveArgs()) : null,
    nocache: cases.some((c) => c.server === "nocache") ? await startServeProcess(dir, serveEnv({ FORECAST_CACHE_SECONDS: "0" }), serveArgs()) : null,
  };
  const out: Measured[] = [];
  try {
    for (const c of cases) {
      const serveUrl = servers[c.server]!.url;
      // one warm-up second each: JIT, connection setup, the first model load
      await runLoad(TOOL, { url: ceiling.url + c.path, method: c.method, ...(c.body ? { body: c.body } : {}), connections: 16, seconds: 1 });
      await runLoad(TOOL, { url: serveUrl + c.path, method: c.method, ...(c.body ? { body: c.body } : {}), connections: 16, seconds: 1 });
      for (const conc of CONCURRENCY) {
        const spec = { method: c.method, ...(c.body ? { body: c.body } : {}), connections: conc, seconds: SECONDS };
        const ceil = await measured(ceiling.pid, { ...spec, url: ceiling.url + c.path });
        const serve = await measured(servers[c.server]!.child.pid!, { ...spec, url: serveUrl + c.path });
        out.push({ case: c, conc, ceiling: ceil, serve });
        if (serve.non2xx > 0 || serve.errors > 0) process.exitCode = 1;
      }
    }
  } finally {
    await ceiling.stop();
    for (const [label, s] of Object.entries(servers)) if (s) await stopServe(s, label);
  }
  return out;
}

function report(runs: Measured[][]): void {
  const rows: Record<string, string | number>[] = [];
  for (let i = 0; i < runs[0]!.length; i++) {
    const ms_ = runs.map((r) => r[i]!);
    const { case: c, conc } = ms_[0]!;
    const pick = (f: (m: Measured) => number) => ms_.map(f);
    rows.push({
      request: c.name,
      conc,
      "ceiling req/s": spread(
        pick((m) => m.ceiling.rps),
        (x) => x.toFixed(0),
      ),
      "serve req/s": spread(
        pick((m) => m.serve.rps),
        (x) => x.toFixed(0),
      ),
      ratio_to_ceiling: spread(
        pick((m) => m.serve.rps / m.ceiling.rps),
        (x) => x.toFixed(2),
      ),
      "p50 ms": spread(
        pick((m) => m.serve.p50),
        ms,
      ),
      "p99 ms": spread(
        pick((m) => m.serve.p99),
        ms,
      ),
      "max ms": spread(
        pick((m) => m.serve.max),
        ms,
      ),
      "ceiling p99": spread(
        pick((m) => m.ceiling.p99),
        ms,
      ),
      "cpu us/req": spread(
        pick((m) => m.serve.cpuUs ?? NaN),
        (x) => x.toFixed(0),
      ),
      "ceiling cpu us/req": spread(
        pick((m) => m.ceiling.cpuUs ?? NaN),
        (x) => x.toFixed(0),
      ),
      "non-2xx": pick((m) => m.serve.non2xx).reduce((a, b) => a + b, 0),
      errors: pick((m) => m.serve.errors).reduce((a, b) => a + b, 0),
    });
  }
  console.log(table(rows));
}

async function promoteDuring(dir: string, seeded: SeededDataDir, predict: Case): Promise<void> {
  const conc = Math.max(...CONCURRENCY);
  const [v1, v2] = seeded.versions as [string, string];
  console.log(
    `\n== single-row predict at c=${conc}, ${SECONDS * 2} s quiet, then ${SECONDS * 2} s while \`nalssi promote\` (another process) alternates ${v2} / ${v1} every 2 s; MODEL_RELOAD_SECONDS=1; ${RUNS} run(s)`,
  );
  const rows: Record<string, string | number>[] = [];
  const promote = (version: string) =>
    exec(process.execPath, [bin, "promote", version, "--data-dir", dir, "--by", "bench", "--reason", "promote-during", "--skip-artifact-check"], {
      env: { ...process.env, LIBSQL_URL: "" },
    });
  for (let run = 1; run <= RUNS; run++) {
    // Each run starts from v1 in production (an earlier run may have ended on v2).
    await promote(v1).catch(() => undefined);
    const s = await startServeProcess(dir, serveEnv({ MODEL_RELOAD_SECONDS: "1" }), WORKERS > 1 ? ["--workers", String(WORKERS)] : []);
    try {
      await runLoad(TOOL, { url: s.url + predict.path, method: "POST", body: predict.body!, connections: 16, seconds: 1 });
      const quiet = await runLoad(TOOL, { url: s.url + predict.path, method: "POST", body: predict.body!, connections: conc, seconds: SECONDS * 2 });
      const loadsBefore = (s.stderr().match(/production model loaded/g) ?? []).length;
      let stop = false;
      let promotions = 0;
      const promoter = (async () => {
        let next = v2;
        while (!stop) {
          await new Promise((r) => setTimeout(r, 2000));
          if (stop) break;
          await promote(next);
          promotions++;
          next = next === v2 ? v1 : v2;
        }
      })();
      const busy = await runLoad(TOOL, { url: s.url + predict.path, method: "POST", body: predict.body!, connections: conc, seconds: SECONDS * 2 });
      stop = true;
      await promoter;
      await new Promise((r) => setTimeout(r, 1500));
      const loads = (s.stderr().match(/production model loaded/g) ?? []).length - loadsBefore;
      for (const [phase, r] of [
        ["quiet", quiet],
        ["promoting", busy],
      ] as const) {
        rows.push({
          run,
          phase,
          "req/s": r.rps.toFixed(0),
          "p50 ms": ms(r.p50),
          "p99 ms": ms(r.p99),
          "max ms": ms(r.max),
          "non-2xx": r.non2xx,
          errors: r.errors,
          ...(phase === "promoting" ? { promotions, "model loads seen": loads } : { promotions: "-", "model loads seen": "-" }),
        });
      }
      if (busy.non2xx || busy.errors) process.exitCode = 1;
    } finally {
      await stopServe(s, "promote-during");
    }
  }
  console.log(table(rows));
  console.log(
    `(model loads seen: "production model loaded" lines in serve's log${WORKERS > 1 ? `, all ${WORKERS} workers` : ""}; each promotion is a fresh Node process on this machine, which takes CPU from the server while it runs.)`,
  );
}

async function main(): Promise<void> {
  console.log(
    `serve bench: ${process.version} on ${process.arch}, ${cpus().length} cores, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}; load tool ${TOOL}${TOOL === "wrk" ? " -t1" : " (in this process)"}, ${SECONDS} s per load run`,
  );
  const dir = await mkdtemp(join(tmpdir(), "nalssi-bench-serve-"));
  try {
    const recipes = args["promote-during"]
      ? [DEFAULT_RECIPE, { ...DEFAULT_RECIPE, params: { ...DEFAULT_RECIPE.params, num_iterations: 150 } }]
      : [DEFAULT_RECIPE];
    const seeded = await seedSeoulDataDir(dir, recipes);
    const a = seeded.artifacts[0]!;
    const at = new Date(seeded.last + 30 * 60_000).toISOString();
    const { rows } = referenceLeadRows(a, seeded.series, 24, seeded.last - 100 * HOUR_MS, seeded.last);
    for (const x of seeded.artifacts) x.fitted.booster.free();
    const all: Case[] = [
      {
        id: "predict1",
        name: "POST /v1/predict 1 row",
        method: "POST",
        path: "/v1/predict",
        body: JSON.stringify({ lead_hours: 24, features: rows[0] }),
        server: "cached",
      },
      {
        id: "predict100",
        name: "POST /v1/predict 100 rows",
        method: "POST",
        path: "/v1/predict",
        body: JSON.stringify({ lead_hours: 24, instances: rows }),
        server: "cached",
      },
      { id: "forecast", name: "GET /v1/forecast (cached)", method: "GET", path: `/v1/forecast?location=seoul&at=${at}`, server: "cached" },
      { id: "forecast-nocache", name: "GET /v1/forecast (no cache)", method: "GET", path: `/v1/forecast?location=seoul&at=${at}`, server: "nocache" },
      { id: "healthz", name: "GET /healthz", method: "GET", path: "/healthz", server: "cached" },
    ];
    const wanted = args.cases?.split(",");
    const cases = wanted ? all.filter((c) => wanted.includes(c.id)) : all;
    if (wanted && cases.length !== wanted.length) throw new Error(`--cases: unknown case in ${args.cases}; known: ${all.map((c) => c.id).join(",")}`);

    if (args["promote-during"]) {
      await promoteDuring(dir, seeded, all[0]!);
    } else {
      console.log(
        `model ${seeded.versions[0]} (${DEFAULT_RECIPE.params.num_iterations} trees, ${DEFAULT_RECIPE.features.length} features); serve${WORKERS > 1 ? ` --workers ${WORKERS}` : " (one process)"} over an embedded libSQL file; ceiling = bench/ceiling-server.ts (one process)`,
      );
      const runs: Measured[][] = [];
      for (let run = 1; run <= RUNS; run++) {
        const measured = await compareOnce(dir, cases);
        runs.push(measured);
        if (RUNS > 1) {
          console.log(`\n-- run ${run} of ${RUNS} (load average ${loadavg()[0]!.toFixed(2)})`);
          report([measured]);
        }
      }
      console.log(RUNS > 1 ? `\n== median of ${RUNS} runs (min..max)` : "");
      report(runs);
      console.log(
        'ratio_to_ceiling: serve req/s / ceiling req/s, measured back to back in the same run; p50/p99/max are serve\'s. cpu us/req: CPU time (user+system, the process and its children, from /proc) per answered request, the figure least disturbed by other load on the machine. "no cache": every forecast reads the 35-day window from libSQL and rebuilds the features.',
      );
    }
    if (args.cold) await coldBench(dir, seeded, at);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function coldBench(dir: string, seeded: SeededDataDir, at: string): Promise<void> {
  console.log(
    `\n== cold start to the first forecast: ${COLD_SAMPLES} fresh Node processes each (bench/serve-cold.ts), local libSQL file, artifacts in a memory object store, no network round trips`,
  );
  const bundle = await bundleApp(dir);
  const variants: [string, Record<string, string>][] = [
    ["from TypeScript sources", {}],
    ...(bundle ? [["one esbuild bundle (as wrangler ships the Worker)", { COLD_BUNDLE: bundle }] as [string, Record<string, string>]] : []),
  ];
  const keys = ["import_ms", "build_app_ms", "first_forecast_ms", "model_load_ms", "total_ms", "warm_forecast_ms"];
  let bestTotal = Infinity;
  let firstOnly = Infinity;
  for (const [label, extra] of variants) {
    const samples: Record<string, number>[] = [];
    for (let i = 0; i < COLD_SAMPLES; i++) {
      const { stdout } = await exec(process.execPath, [here("./serve-cold.ts")], { env: { ...process.env, COLD_DATA_DIR: dir, COLD_AT: at, ...extra } });
      samples.push(JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, number>);
    }
    console.log(`-- modules ${label}`);
    console.log(
      table(
        keys.map((k) => ({
          phase: k,
          median: median(samples.map((s) => s[k]!)).toFixed(1),
          min: Math.min(...samples.map((s) => s[k]!)).toFixed(1),
          max: Math.max(...samples.map((s) => s[k]!)).toFixed(1),
        })),
      ),
    );
    bestTotal = Math.min(bestTotal, median(samples.map((s) => s.total_ms!)));
    firstOnly = Math.min(firstOnly, median(samples.map((s) => s.build_app_ms! + s.first_forecast_ms!)));
  }
  if (!bundle) console.log("(esbuild not found in node_modules: the bundled variant was skipped)");
  console.log(
    "import_ms: loading and evaluating the app's modules. first_forecast_ms: production pointer read, both artifacts read + SHA-256, model parse and checks, registry rows, 35-day observation window, features, prediction; model_load_ms is the part of it spent loading the model (warm_forecast_ms: the same request again with the model loaded, forecast cache off). Timings include this machine's load; the Worker also pays one libSQL round trip per query and one R2 read per artifact, not counted here.",
  );
  console.log(
    `target: cold start to first forecast <= 50 ms without libSQL round trips: ${bestTotal.toFixed(1)} ms with module loading, ${firstOnly.toFixed(1)} ms from loaded modules -> ${bestTotal <= 50 ? "met" : firstOnly <= 50 ? "met only from loaded modules (module loading above the budget)" : "NOT met"}`,
  );
  if (process.env.BENCH_WRANGLER !== "0") await wranglerBench(dir, seeded.versions[0]!, at);
}

/** The serving app as one ESM bundle (esbuild, which wrangler uses), or null when esbuild is not installed. */
async function bundleApp(dir: string): Promise<string | null> {
  let esbuild: { build(options: Record<string, unknown>): Promise<unknown> };
  try {
    esbuild = (await import("esbuild" as string)) as typeof esbuild;
  } catch {
    return null;
  }
  const outfile = join(dir, "serve-cold-bundle.mjs");
  await esbuild.build({
    entryPoints: [here("./serve-cold-entry.ts")],
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    minify: true,
    outfile,
    logLevel: "error",
    mainFields: ["module", "main"],
  });
  return outfile;
}

/** Fresh `wrangler dev` processes: first requests to a new isolate, over loopback. */
async function wranglerBench(dir: string, version: string, at: string): Promise<void> {
  const SAMPLES = Number(process.env.BENCH_WRANGLER_SAMPLES ?? 3);
  console.log(
    `\n== 4. the Worker in workerd (wrangler dev, local R2, libSQL over HTTP from a Hrana dev server on loopback): ${SAMPLES} fresh starts, forecast cache off`,
  );
  const wrangler = here("../node_modules/wrangler/bin/wrangler.js");
  const state = join(dir, "wrangler-state");
  await copyFile(join(dir, "nalssi.db"), join(dir, "worker.db"));
  const db = await startHranaDevServer({ dbPath: join(dir, "worker.db"), port: 0 });
  try {
    const prefix = `models/seoul/`;
    const { stdout } = await exec("find", [join(dir, "objects", prefix), "-type", "f", "-name", "*.*", "-not", "-name", ".*"]);
    for (const file of stdout.trim().split("\n")) {
      const key = file.slice(join(dir, "objects").length + 1);
      await exec(process.execPath, [wrangler, "r2", "object", "put", `nalssi-objects/${key}`, "--file", file, "--local", "--persist-to", state], {
        cwd: here(".."),
      });
    }
    const rows: Record<string, string | number>[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const port = 18700 + Math.floor(Math.random() * 200);
      const child = spawn(
        process.execPath,
        [
          wrangler,
          "dev",
          "--port",
          String(port),
          "--ip",
          "127.0.0.1",
          "--persist-to",
          state,
          "--var",
          `LIBSQL_URL:${db.url}`,
          "--var",
          "FORECAST_CACHE_SECONDS:0",
          "--show-interactive-dev-session=false",
        ],
        {
          cwd: here(".."),
          detached: true,
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let log = "";
      child.stdout!.on("data", (d: Buffer) => (log += d.toString()));
      child.stderr!.on("data", (d: Buffer) => (log += d.toString()));
      try {
        const t0 = Date.now();
        while (!log.includes("Ready on") && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 100));
        if (!log.includes("Ready on")) throw new Error(`wrangler dev did not start: ${log.slice(-500)}`);
        await new Promise((r) => setTimeout(r, 500));
        const base = `http://127.0.0.1:${port}`;
        const time = async (path: string) => {
          const t = performance.now();
          const res = await fetch(base + path);
          const body = await res.text();
          if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${body.slice(0, 300)}`);
          return { ms: performance.now() - t, body };
        };
        const docsFirst = await time("/docs");
        const docsWarm = await time("/docs");
        const f1 = await time(`/v1/forecast?location=seoul&at=${at}`);
        if (!f1.body.includes(version)) throw new Error(`unexpected forecast ${f1.body.slice(0, 200)}`);
        const warm = [];
        for (let k = 0; k < 5; k++) warm.push((await time(`/v1/forecast?location=seoul&at=${at}`)).ms);
        const one = [];
        for (let k = 0; k < 5; k++) one.push((await time("/v1/models/" + version)).ms);
        rows.push({
          start: i + 1,
          "first /docs ms": docsFirst.ms.toFixed(1),
          "warm /docs ms": docsWarm.ms.toFixed(1),
          "first forecast ms": f1.ms.toFixed(1),
          "warm forecast ms (median of 5)": median(warm).toFixed(1),
          "GET /v1/models/{v} ms (median of 5)": median(one).toFixed(1),
        });
      } finally {
        try {
          process.kill(-child.pid!, "SIGTERM");
        } catch {
          // already gone
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    console.log(table(rows));
    console.log(
      "first /docs: a new isolate (module init of the bundled Worker, app construction; no database). first forecast: the same isolate's first API request: migrations check, production pointer, two R2 reads + SHA-256, model parse, registry rows, observation window and KMA forecast queries (each libSQL query is an HTTP round trip to the dev server, several ms here). warm forecast: model in memory, two queries. GET /v1/models/{v} (the loaded version): two queries, i.e. about the cost of the round trips alone. All through wrangler's local proxy.",
    );
  } finally {
    await db.close();
  }
}

await main();
