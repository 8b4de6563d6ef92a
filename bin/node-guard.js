#!/usr/bin/env node
// The Node version gate, in plain JavaScript so that any Node can run it: nalssi's sources are
// TypeScript that Node >= 22.18 runs directly (type stripping); an older Node fails on the first
// `.ts` import with a stack trace (ERR_UNKNOWN_FILE_EXTENSION). This runs before any `.ts` is loaded.
//
//   node bin/node-guard.js [--fetch] <script.ts> [args...]   run the script on a Node that can
//   node bin/node-guard.js --check                           only check (exit 1 with one line if too old)
//
// On an older Node: if a Node 22 was fetched into .cache/node22 before (by `npm start` or .ci/run),
// the script is re-run with it; with --fetch (`npm start`), Node 22 is first fetched from the npm
// registry (the `node-<os>-<arch>` package, as .ci/run does), after one line saying so; otherwise one
// line names the version needed and how to get it, and the exit code is 1.
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const MIN_NODE = [22, 18];
const MIN_TEXT = MIN_NODE.join(".");
const REPO = fileURLToPath(new URL("..", import.meta.url));
// NALSSI_NODE_VERSION: pretend to be this Node version (the guard's tests). NALSSI_NODE_CACHE: where
// Node 22 is fetched to (default .cache/node22, shared with .ci/run).
const VERSION_ENV = "NALSSI_NODE_VERSION";
const CACHE_ENV = "NALSSI_NODE_CACHE";
const REEXEC_ENV = "NALSSI_NODE_GUARD_REEXEC";

/** Whether a Node version ("22.18.0" or "v22.18.0") can run the TypeScript sources. */
export function isRecentEnough(version) {
  const [major, minor] = String(version).replace(/^v/, "").split(".").map(Number);
  return major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
}

function cacheDir() {
  return resolve(process.env[CACHE_ENV] || join(REPO, ".cache", "node22"));
}

function packageName() {
  const os = { linux: "linux", darwin: "darwin" }[process.platform];
  const arch = { x64: "x64", arm64: "arm64" }[process.arch];
  return os && arch ? `node-${os}-${arch}` : undefined;
}

/** The Node binary fetched into the cache before, if it is recent enough. */
function cachedNode() {
  const pkg = packageName();
  if (!pkg) return undefined;
  const bin = join(cacheDir(), "node_modules", pkg, "bin", "node");
  if (!existsSync(bin)) return undefined;
  try {
    return isRecentEnough(execFileSync(bin, ["--version"], { encoding: "utf8" }).trim()) ? bin : undefined;
  } catch {
    return undefined;
  }
}

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function tooOld(version, hint = "or run `npm start` once to fetch Node 22 into .cache/node22") {
  return `nalssi needs Node.js >= ${MIN_TEXT} (this is v${version.replace(/^v/, "")}): run \`nvm install\` (reads .nvmrc) or get it from https://nodejs.org/, ${hint}.`;
}

function fetchNode(version) {
  const pkg = packageName();
  if (!pkg) fail(tooOld(version)); // no npm package for this platform: the user installs Node
  const dir = cacheDir();
  process.stderr.write(`nalssi: Node v${version.replace(/^v/, "")} is older than ${MIN_TEXT}; fetching Node 22 (npm package ${pkg}@22) into ${dir}, once...\n`);
  try {
    execFileSync("npm", ["install", "--prefix", dir, "--no-save", "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error", `${pkg}@22`], {
      stdio: ["ignore", "ignore", "pipe"],
      encoding: "utf8",
    });
  } catch (e) {
    const why =
      String(e.stderr || e.message)
        .trim()
        .split("\n")
        .find((l) => l.trim() !== "") ?? "npm install failed";
    fail(
      `nalssi: could not fetch Node 22 (${why.replace(/^npm (error|ERR!) /, "")}); install Node.js >= ${MIN_TEXT} yourself: \`nvm install\` or https://nodejs.org/`,
    );
  }
  return (
    cachedNode() ?? fail(`nalssi: the fetched Node in ${dir} does not run; install Node.js >= ${MIN_TEXT} yourself: \`nvm install\` or https://nodejs.org/`)
  );
}

/** Re-runs `script args` with another Node binary (its folder first on PATH, so child processes such as wrangler get it too), then exits with its code. */
function rerun(node, script, args) {
  const env = { ...process.env, PATH: `${join(node, "..")}${delimiter}${process.env.PATH ?? ""}`, [REEXEC_ENV]: "1" };
  delete env[VERSION_ENV];
  const child = spawn(node, [script, ...args], { stdio: "inherit", env });
  // Ctrl-C reaches the child through the terminal's process group; a signal sent to this process
  // alone (kill <pid>) is passed on. Either way this process waits for the child's exit.
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(sig, () => {
      if (sig !== "SIGINT" || !process.stdin.isTTY) child.kill(sig);
    });
  }
  child.on("error", (e) => fail(`nalssi: could not run ${node}: ${e.message}`));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 1) : 1)));
  return new Promise(() => {}); // never resolves: the process exits with the child
}

/**
 * Makes sure a recent enough Node runs `script`. Resolves when this process's Node can (the caller
 * then loads the TypeScript itself); otherwise re-runs the script with a fetched Node 22 and exits
 * with its code, or exits 1 after one line.
 */
export async function ensureNode({ script, args = [], fetch = false }) {
  const version = process.env[VERSION_ENV] || process.versions.node;
  if (isRecentEnough(version)) return;
  if (process.env[REEXEC_ENV] === "1") fail(tooOld(version)); // never loop
  const node = cachedNode() ?? (fetch ? fetchNode(version) : fail(tooOld(version)));
  await rerun(node, script, args);
}

// Run as the npm scripts' entry: node bin/node-guard.js [--fetch | --check] <script.ts> [args...]
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const fetch = argv[0] === "--fetch";
  if (argv[0] === "--check") {
    const version = process.env[VERSION_ENV] || process.versions.node;
    if (!isRecentEnough(version)) {
      const node = cachedNode();
      fail(
        node ? tooOld(version, `or put the Node 22 that \`npm start\` fetched first on PATH: PATH="${join(node, "..")}${delimiter}$PATH"`) : tooOld(version),
      );
    }
  } else {
    const [script, ...args] = fetch ? argv.slice(1) : argv;
    if (script === undefined) fail("usage: node bin/node-guard.js [--fetch | --check] <script.ts> [args...]");
    const path = resolve(script);
    await ensureNode({ script: path, args, fetch });
    // This Node can: run the script in this process, as if `node <script> args` had been typed.
    process.argv = [process.argv[0], path, ...args];
    await import(pathToFileURL(path).href);
  }
}
