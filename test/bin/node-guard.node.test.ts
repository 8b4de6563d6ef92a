// bin/node-guard.js: the Node version gate in front of every .ts entry point (npm scripts, bin/nalssi.js).
// It is run as a real process; NALSSI_NODE_VERSION makes it believe it runs on an older Node, and
// NALSSI_NODE_CACHE points it at a folder of our choosing instead of .cache/node22.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const GUARD = join(REPO, "bin/node-guard.js");
const NALSSI = join(REPO, "bin/nalssi.js");
const dir = mkdtempSync(join(tmpdir(), "nalssi-node-guard-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A TypeScript script (type annotations: only a Node that strips types can run it) that leaves a
// marker, prints its argv and PATH's first entry, and exits 7.
const marker = join(dir, "ran");
const script = join(dir, "probe.ts");
writeFileSync(
  script,
  `import { writeFileSync } from "node:fs";
const args: string[] = process.argv.slice(2);
writeFileSync(${JSON.stringify(marker)}, "x");
console.log(JSON.stringify({ args, argv1: process.argv[1], path0: (process.env.PATH ?? "").split(":")[0], node: process.argv0 }));
process.exitCode = 7;
`,
);
const emptyCache = join(dir, "empty-cache");

function run(file: string, args: string[], env: Record<string, string> = {}) {
  rmSync(marker, { force: true });
  const r = spawnSync(process.execPath, [file, ...args], { encoding: "utf8", env: { ...process.env, NALSSI_NODE_CACHE: emptyCache, ...env }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ran: existsSync(marker) };
}

function expectOneLineRefusal(r: ReturnType<typeof run>, version: string) {
  expect(r.code).toBe(1);
  expect(r.ran).toBe(false);
  expect(r.stdout).toBe("");
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain("nalssi needs Node.js >= 22.18");
  expect(lines[0]).toContain(`(this is v${version})`);
  expect(lines[0]).toContain("nvm install");
  expect(r.stderr).not.toMatch(/\n\s+at |ERR_|Error/);
}

describe("on an older Node, before any .ts is loaded", () => {
  it("an npm script's entry prints one line naming the version needed and how to get it, exit 1", () => {
    expectOneLineRefusal(run(GUARD, [script, "a"], { NALSSI_NODE_VERSION: "20.20.2" }), "20.20.2");
    expectOneLineRefusal(run(GUARD, [script], { NALSSI_NODE_VERSION: "22.17.1" }), "22.17.1");
  });

  it("npx nalssi (bin/nalssi.js) does the same", () => {
    expectOneLineRefusal(run(NALSSI, ["--help"], { NALSSI_NODE_VERSION: "v18.19.0" }), "18.19.0");
  });

  it("--check (npm test) does the same, and passes on a recent Node", () => {
    expectOneLineRefusal(run(GUARD, ["--check"], { NALSSI_NODE_VERSION: "20.0.0" }), "20.0.0");
    const ok = run(GUARD, ["--check"]);
    expect([ok.code, ok.stderr]).toEqual([0, ""]);
  });

  it("--fetch (npm start) says it fetches Node 22, and when that fails says so in one line, no stack trace", () => {
    // An unreachable registry: npm fails at once (no retries); the cache folder is a fresh one.
    const r = run(GUARD, ["--fetch", script], {
      NALSSI_NODE_VERSION: "20.20.2",
      NALSSI_NODE_CACHE: join(dir, "fetch-cache"),
      npm_config_registry: "http://127.0.0.1:9/",
      npm_config_fetch_retries: "0",
    });
    expect(r.code).toBe(1);
    expect(r.ran).toBe(false);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^nalssi: Node v20\.20\.2 is older than 22\.18; fetching Node 22 \(npm package node-\w+-\w+@22/);
    expect(lines[1]).toMatch(/^nalssi: could not fetch Node 22 \(.+\); install Node\.js >= 22\.18 yourself/);
  });
});

describe("running the script", () => {
  it("on a recent Node: in this process, with its arguments and exit code", () => {
    const r = run(GUARD, [script, "start", "--port", "1"]);
    expect(r.code).toBe(7);
    expect(r.ran).toBe(true);
    const out = JSON.parse(r.stdout) as { args: string[]; argv1: string; node: string };
    expect(out).toMatchObject({ args: ["start", "--port", "1"], argv1: script, node: process.execPath });
  });

  it("on an older Node with a Node 22 in the cache: re-run with it (first on PATH), arguments and exit code kept", () => {
    const pkg = `node-${process.platform}-${process.arch}`;
    const bin = join(dir, "cache", "node_modules", pkg, "bin");
    mkdirSync(bin, { recursive: true });
    symlinkSync(process.execPath, join(bin, "node")); // a real Node >= 22.18 (this one), where the fetch puts it
    for (const file of [GUARD, NALSSI]) {
      const args = file === GUARD ? [script, "x", "y"] : ["--version"];
      const r = run(file, args, { NALSSI_NODE_VERSION: "20.20.2", NALSSI_NODE_CACHE: join(dir, "cache") });
      expect(r.stderr).toBe("");
      if (file === NALSSI) {
        expect([r.code, r.stdout.trim()]).toEqual([0, "0.1.0"]);
        continue;
      }
      expect(r.code).toBe(7);
      const out = JSON.parse(r.stdout) as { args: string[]; path0: string; node: string };
      expect(out).toMatchObject({ args: ["x", "y"], path0: bin, node: join(bin, "node") });
    }
  });
});
