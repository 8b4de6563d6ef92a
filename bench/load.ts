// One load run against a URL with wrk (when on PATH: C, one thread, so the load tool costs little
// of the 2 cores) or autocannon (npm devDependency, in this process). Same numbers either way:
// req/s, p50/p99/max latency in ms, non-2xx answers and socket errors.
import { execFile, execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import autocannon from "autocannon";

const exec = promisify(execFile);

export type LoadTool = "wrk" | "autocannon";

export interface LoadSpec {
  url: string;
  method: "GET" | "POST";
  body?: string;
  connections: number;
  seconds: number;
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  max: number;
  requests: number;
  non2xx: number;
  errors: number;
}

export function defaultTool(): LoadTool {
  try {
    execFileSync("wrk", ["--version"], { stdio: "ignore" });
    return "wrk";
  } catch (e) {
    // wrk --version exits 1 after printing its version; ENOENT means it is not installed
    return (e as { code?: string }).code === "ENOENT" ? "autocannon" : "wrk";
  }
}

// wrk's done() hook prints the summary as JSON (latency in microseconds).
const WRK_DONE = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('\\nJSON{"requests":%d,"duration_us":%d,"p50":%d,"p99":%d,"max":%d,"status":%d,"errors":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.status, e.connect + e.read + e.write + e.timeout))
end
`;

async function runWrk(spec: LoadSpec): Promise<LoadResult> {
  const dir = await mkdtemp(join(tmpdir(), "nalssi-wrk-"));
  try {
    const script = join(dir, "load.lua");
    let lua = `wrk.method = "${spec.method}"\n`;
    if (spec.body !== undefined) lua += `wrk.body = [==[${spec.body}]==]\nwrk.headers["Content-Type"] = "application/json"\n`;
    await writeFile(script, lua + WRK_DONE);
    const { stdout } = await exec("wrk", ["-t1", `-c${spec.connections}`, `-d${spec.seconds}s`, "--timeout", "10s", "-s", script, spec.url], {
      maxBuffer: 1 << 20,
    });
    const m = /JSON(\{.*\})/.exec(stdout);
    if (!m) throw new Error(`wrk printed no summary: ${stdout}`);
    const s = JSON.parse(m[1]!) as { requests: number; duration_us: number; p50: number; p99: number; max: number; status: number; errors: number };
    return {
      rps: s.requests / (s.duration_us / 1e6),
      p50: s.p50 / 1000,
      p99: s.p99 / 1000,
      max: s.max / 1000,
      requests: s.requests,
      non2xx: s.status,
      errors: s.errors,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function runAutocannon(spec: LoadSpec): Promise<LoadResult> {
  const r = await autocannon({
    url: spec.url,
    method: spec.method,
    connections: spec.connections,
    duration: spec.seconds,
    ...(spec.body !== undefined ? { body: spec.body, headers: { "content-type": "application/json" } } : {}),
  });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

export function runLoad(tool: LoadTool, spec: LoadSpec): Promise<LoadResult> {
  return tool === "wrk" ? runWrk(spec) : runAutocannon(spec);
}
