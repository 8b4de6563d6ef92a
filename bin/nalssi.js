#!/usr/bin/env node
// The `nalssi` command. Node >= 22.18 runs the TypeScript sources directly (type stripping); the
// guard checks the version before any .ts is loaded (one line on an older Node, or a re-run with the
// Node 22 that `npm start` fetched into .cache/node22).
import { fileURLToPath } from "node:url";
import { ensureNode } from "./node-guard.js";

await ensureNode({ script: fileURLToPath(new URL("../src/cli/main.ts", import.meta.url)), args: process.argv.slice(2) });
const { runCli } = await import("../src/cli/main.ts");
process.exitCode = await runCli(process.argv.slice(2));
