// npm run fuzz:http: requests generated from the OpenAPI document (/openapi.json) against a real
// `nalssi serve` on 127.0.0.1, in a bounded loop (default 5,000; --requests N), and counts what came
// back. A finding is a 5xx, an error answer that is not JSON {"error": {"code", "message"}}, or a
// connection reset. Prints figures, exits 1 when there is any finding (it is a check, not a timed test).
//
// The data folder (--data-dir) must hold a production model; without one, a fresh temporary folder
// is prepared with the bundled Seoul data (`nalssi import` + `nalssi train`, about 20 s). The
// generator is seeded (--seed), so a run can be repeated exactly.
//
//   npm run fuzz:http                    # 5,000 requests, seed 1
//   npm run fuzz:http -- --requests 20000 --seed 7 --data-dir .nalssi
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import { fileURLToPath } from "node:url";

const exec = promisify(execFile);
const bin = fileURLToPath(new URL("../bin/nalssi.js", import.meta.url));
const csv = fileURLToPath(new URL("../data/seoul/SeoulBikeData.csv", import.meta.url));
const { values: args } = parseArgs({
  options: {
    requests: { type: "string", default: "5000" },
    seed: { type: "string", default: "1" },
    "data-dir": { type: "string" },
    concurrency: { type: "string", default: "8" },
  },
});
const TOTAL = Number(args.requests);
const CONCURRENCY = Number(args.concurrency);
const TOKEN = "fuzz-admin-token-0123456789abcdef0123456789";

// --- a seeded random source (mulberry32) ------------------------------------------------------------
let seed = Number(args.seed) >>> 0 || 1;
function rand(): number {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
let latePhase = false;
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const chance = (p: number) => rand() < p;

// --- values from the schemas, and hostile ones ---------------------------------------------------
// biome-ignore lint/suspicious/noExplicitAny: an OpenAPI schema walked generically; every field is checked where read
type Schema = Record<string, any>;
let components: Record<string, Schema> = {};
const resolve = (s: Schema | undefined): Schema => (s?.$ref ? resolve(components[String(s.$ref).split("/").pop()!]) : (s ?? {}));

const EVIL: unknown[] = [
  "",
  " ",
  "a".repeat(5_000),
  "../../etc/passwd",
  "%00",
  "\u0000",
  "서울😀",
  "null",
  "NaN",
  "Infinity",
  "-1",
  "1e999",
  "<script>alert(1)</script>",
  "' OR 1=1 --",
  "2024-02-30T00:00:00Z",
  "9999-12-31T23:59:59Z",
  "1970-01-01T00:00:00Z",
  -1,
  0,
  1e308,
  -1e308,
  2 ** 53 + 1,
  3.5,
  true,
  false,
  null,
  [],
  {},
  [1, "x"],
  { __proto__: { polluted: true } },
  { constructor: { prototype: { x: 1 } } },
];

function value(schema: Schema | undefined, depth = 0): unknown {
  const s = resolve(schema);
  if (chance(0.15) || depth > 4) return pick(EVIL);
  if (s.enum) return pick(s.enum);
  const alt = s.oneOf ?? s.anyOf;
  if (alt) return value(pick(alt), depth + 1);
  if (s.nullable && chance(0.1)) return null;
  switch (s.type) {
    case "string":
      if (s.format === "date-time") return new Date(Date.UTC(2018, 10, 30, 14) - Math.floor(rand() * 30) * 3_600_000).toISOString();
      if (s.pattern && String(s.pattern).includes("T")) return "20181130T140000Z";
      return pick(["seoul", "busan", "x", "20181130T140000Z", "admin", "ingest", "train", "a-b-c"]);
    case "integer":
      return Math.floor((s.minimum ?? -5) + rand() * Math.min(1000, (s.maximum ?? 100) - (s.minimum ?? -5) + 1));
    case "number":
      return (rand() - 0.5) * 100;
    case "boolean":
      return chance(0.5);
    case "array": {
      const n = chance(0.05) ? 2_000 : Math.floor(rand() * 4);
      return Array.from({ length: n }, () => value(s.items, depth + 1));
    }
    default: {
      const out: Record<string, unknown> = {};
      const props = (s.properties ?? {}) as Record<string, Schema>;
      const required = new Set<string>(s.required ?? []);
      for (const [k, v] of Object.entries(props)) if (required.has(k) ? !chance(0.1) : chance(0.5)) out[k] = value(v, depth + 1);
      if (s.additionalProperties && typeof s.additionalProperties === "object")
        for (let i = 0; i < Math.floor(rand() * 5); i++) out[`f${i}`] = value(s.additionalProperties, depth + 1);
      if (chance(0.1)) out[pick(["extra", "zzz", "__proto__", "features_x"])] = pick(EVIL);
      if (chance(0.02)) for (let i = 0; i < 5_000; i++) out[`unknown_${i}`] = i;
      return out;
    }
  }
}

/** A predict body built from the production model's real feature names, sometimes. */
let featureNames: string[] = [];
function predictBody(): unknown {
  const row = () => Object.fromEntries(featureNames.filter(() => !chance(0.02)).map((n) => [n, chance(0.05) ? pick(EVIL) : (rand() - 0.5) * 20]));
  return chance(0.5) ? { features: row() } : { instances: Array.from({ length: chance(0.05) ? 3_000 : 1 + Math.floor(rand() * 20) }, row) };
}

interface Op {
  method: string;
  path: string;
  params: Schema[];
  body: Schema | undefined;
  admin: boolean;
}

interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | Buffer | undefined;
}

function build(op: Op): Sent {
  let path = op.path;
  const query = new URLSearchParams();
  for (const p of op.params) {
    const v = value(p.schema);
    const text = typeof v === "string" ? v : (JSON.stringify(v) ?? "");
    if (p.in === "path") path = path.replace(`{${p.name}}`, encodeURIComponent(text).slice(0, 3000) || "x");
    else if (p.in === "query" && (p.required || chance(0.6))) query.set(p.name, text.slice(0, 3000));
  }
  if (chance(0.05)) query.set(pick(["junk", "location", "at", "limit"]), pick(["", "x".repeat(2000), "%", "[]"]));
  const headers: Record<string, string> = {};
  // Wrong tokens spend the client's failure budget (then every admin call is 429): they are sent in
  // the last tenth only, so the admin handlers get fuzzed with the right token before that.
  if (op.admin || chance(0.05))
    headers.authorization = !latePhase || chance(0.5) ? `Bearer ${TOKEN}` : pick(["Bearer wrong", "Basic abc", "Bearer ", "bearer " + "x".repeat(300)]);
  let body: string | Buffer | undefined;
  if (op.body !== undefined || chance(0.05)) {
    const kind = rand();
    if (kind < 0.7) {
      body = JSON.stringify(op.path === "/v1/predict" && chance(0.6) ? predictBody() : value(op.body));
      headers["content-type"] = "application/json";
    } else if (kind < 0.8) {
      body = pick(["{bad", "[1,2", "null", '"x"', "", '{"features": {"a": NaN}}', "\u0000\u0001"]);
      headers["content-type"] = pick(["application/json", "text/plain", "application/x-www-form-urlencoded"]);
    } else if (kind < 0.9) {
      body = Buffer.alloc(chance(0.2) ? 9 * 1024 * 1024 : 1024 * 1024, 0x7b); // over the 8 MiB limit, or 1 MiB of '{'
      headers["content-type"] = "application/json";
    } else body = JSON.stringify(value(op.body));
  }
  const qs = query.toString();
  return {
    method: chance(0.05) ? pick(["TRACE", "DELETE", "PUT", "PATCH", "OPTIONS", "HEAD"]) : op.method.toUpperCase(),
    path: path + (qs ? `?${qs}` : ""),
    headers,
    body,
  };
}

/** Jobs that would train or fetch from KMA are never run by the fuzzer with the valid token. */
function tame(s: Sent): Sent {
  if (s.headers.authorization === `Bearer ${TOKEN}`) s.path = s.path.replace(/^\/v1\/admin\/jobs\/(train|ingest)\//, "/v1/admin/jobs/fuzz-$1/");
  return s;
}

// --- the server ---------------------------------------------------------------------------------
async function prepare(): Promise<{ dir: string; temporary: boolean }> {
  if (args["data-dir"]) return { dir: args["data-dir"], temporary: false };
  const dir = await mkdtemp(join(tmpdir(), "nalssi-fuzz-"));
  const env = { ...process.env, LIBSQL_URL: "", KMA_SERVICE_KEY: "" };
  console.error(`fuzz: preparing ${dir} (import + train the bundled Seoul data)`);
  await exec(process.execPath, [bin, "import", csv, "--data-dir", dir], { env });
  await exec(process.execPath, [bin, "train", "--date", "2018-12-01", "--data-dir", dir], { env });
  return { dir, temporary: true };
}

function serve(dir: string): Promise<{ url: string; child: ChildProcess; stderr: () => string }> {
  const child = spawn(process.execPath, [bin, "serve", "--port", "0", "--data-dir", dir, "--quiet"], {
    env: { ...process.env, LIBSQL_URL: "", KMA_SERVICE_KEY: "", ADMIN_TOKEN: TOKEN },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /serving on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ url: m[1]!, child, stderr: () => err });
    });
    child.once("exit", (code) => reject(new Error(`nalssi serve exited with ${code}: ${err}`)));
  });
}

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
function send(base: string, s: Sent): Promise<{ status: number; type: string; body: Buffer } | { error: string }> {
  return new Promise((resolve) => {
    // a body always goes with its length (Node's client would send a GET body unframed: invalid HTTP)
    const headers = s.body === undefined ? s.headers : { ...s.headers, "content-length": String(Buffer.byteLength(s.body)) };
    const req = request(base + s.path, { method: s.method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"] ?? ""), body: Buffer.concat(chunks) }));
      res.on("error", (e) => resolve({ error: e.message }));
    });
    req.on("error", (e) => resolve({ error: `${(e as NodeJS.ErrnoException).code ?? ""} ${e.message}` }));
    req.setTimeout(60_000, () => req.destroy(new Error("timeout")));
    req.end(s.body);
  });
}

async function main(): Promise<void> {
  const { dir, temporary } = await prepare();
  const server = await serve(dir);
  const t0 = performance.now();
  const statuses = new Map<number, number>();
  const findings: string[] = [];
  let resets = 0;
  let nonJsonErrors = 0;
  let bigErrors = 0;
  try {
    const doc = JSON.parse(String(((await send(server.url, { method: "GET", path: "/openapi.json", headers: {}, body: undefined })) as { body: Buffer }).body));
    components = doc.components?.schemas ?? {};
    const ops: Op[] = [];
    // biome-ignore lint/suspicious/noExplicitAny: OpenAPI operations, read field by field below
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const [method, op] of Object.entries(item)) {
        ops.push({
          method,
          path,
          params: op.parameters ?? [],
          body: op.requestBody?.content?.["application/json"]?.schema,
          admin: Boolean(op.security?.length),
        });
      }
    }
    for (const extra of ["/", "/docs", "/dashboard", "/nothing", "/v1", "/v1/models/%2e%2e%2f", "/v1/forecast/x/y"])
      ops.push({ method: "get", path: extra, params: [], body: undefined, admin: false });
    const models = (await send(server.url, { method: "GET", path: "/v1/models", headers: {}, body: undefined })) as { body: Buffer };
    const production = (JSON.parse(String(models.body)) as { aliases: { alias: string; version: string }[] }).aliases.find(
      (a) => a.alias === "production",
    )?.version;
    if (production) {
      const d = (await send(server.url, { method: "GET", path: `/v1/models/${production}`, headers: {}, body: undefined })) as { body: Buffer };
      featureNames = (JSON.parse(String(d.body)) as { feature_spec: { features: { name: string }[] } }).feature_spec.features.map((f) => f.name);
    }
    console.error(
      `fuzz: ${ops.length} operations from /openapi.json; production model ${production ?? "none"} (${featureNames.length} features); ${TOTAL} requests, concurrency ${CONCURRENCY}, seed ${args.seed}`,
    );

    let next = 0;
    const worker = async () => {
      let previous = "";
      while (next < TOTAL) {
        next++;
        latePhase = next > TOTAL * 0.9;
        const s = tame(build(pick(ops)));
        const r = await send(server.url, s);
        if ("error" in r) {
          resets++;
          findings.push(`${s.method} ${s.path.slice(0, 120)}: ${r.error}`);
          continue;
        }
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status >= 500) findings.push(`${s.method} ${s.path.slice(0, 120)}: ${r.status} ${String(r.body).slice(0, 200)}`);
        if (r.status >= 400) {
          if (r.body.length > 64 * 1024) bigErrors++;
          let ok = false;
          if (s.method === "HEAD")
            ok = true; // no body by definition
          else if (/^application\/json/.test(r.type)) {
            try {
              const j = JSON.parse(String(r.body)) as { error?: { code?: unknown; message?: unknown } };
              ok = typeof j.error?.code === "string" && typeof j.error?.message === "string";
            } catch {
              ok = false;
            }
          }
          if (!ok) {
            nonJsonErrors++;
            findings.push(
              `${s.method} ${s.path.slice(0, 120)}: ${r.status} not a JSON error (${r.type}): ${String(r.body).slice(0, 120)} (after ${previous} on this connection's worker)`,
            );
          }
        }
        previous = `${s.method} ${s.path.slice(0, 60)} [${s.body === undefined ? "no body" : `${s.body.length} B`}, ${s.headers["content-type"] ?? "no type"}] -> ${r.status}`;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  } finally {
    agent.destroy();
    server.child.kill("SIGTERM");
    await new Promise((r) => server.child.once("exit", r));
    if (temporary) await rm(dir, { recursive: true, force: true });
  }
  const sent = [...statuses.values()].reduce((a, b) => a + b, 0) + resets;
  const fivexx = [...statuses].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0);
  const byStatus = [...statuses]
    .sort(([a], [b]) => a - b)
    .map(([s, c]) => `${s}=${c}`)
    .join(" ");
  console.log(`fuzz:http requests=${sent} seconds=${((performance.now() - t0) / 1000).toFixed(1)} seed=${args.seed}`);
  console.log(`  status ${byStatus}`);
  console.log(`  5xx=${fivexx} non_json_errors=${nonJsonErrors} resets=${resets} error_bodies_over_64KiB=${bigErrors}`);
  for (const f of findings.slice(0, 20)) console.log(`  finding: ${f}`);
  if (findings.length > 20) console.log(`  ... and ${findings.length - 20} more findings`);
  process.exitCode = findings.length > 0 ? 1 : 0;
}

await main();
