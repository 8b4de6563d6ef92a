// Every command and subcommand answers --help (exit 0) with its exit codes; the top level says how
// to start; an unknown command or option is a usage error (exit 2).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { buildProgram } from "./main.ts";

const BIN = fileURLToPath(new URL("../../bin/nalssi.js", import.meta.url));

function nalssi(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => void (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => void (stderr += d.toString()));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, stdout, stderr })));
}

const commands = buildProgram().commands.flatMap((c) => [[c.name()], ...c.commands.map((s) => [c.name(), s.name()])]);

describe("nalssi --help", () => {
  it("lists start first and says how to begin", async () => {
    const r = await nalssi(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Commands:\n\s+start /);
    expect(r.stdout).toContain("npx nalssi start");
  });

  it.each(commands)("%s %s --help: exit 0, usage and exit codes", async (...names) => {
    const path = names.filter((n): n is string => typeof n === "string");
    const r = await nalssi([...path, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: nalssi ${path.join(" ")}`);
    expect(r.stdout).toMatch(/Exit codes: 0 /);
  });

  it("exits 2 on an unknown command or option", async () => {
    expect((await nalssi(["forecast-everything"])).code).toBe(2);
    const r = await nalssi(["start", "--colour"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--colour'/);
  });
});

describe("typos in options", () => {
  // Every command with a required option: a misspelt option is reported as unknown, with the
  // suggestion, not as the required option it was meant to be.
  it.each([
    [["backfill", "--location", "seoul", "--form", "2025-05-01", "--to", "2025-05-02"], "--form", "--from"],
    [["backtest", "--form", "2018-09-01"], "--form", "--from"],
    [["lightgbm", "train", "x.csv", "--lable", "y", "-o", "m.txt"], "--lable", "--label"],
    [["lightgbm", "predict", "x.csv", "--modle", "m.txt", "-o", "p.txt"], "--modle", "--model"],
  ])("%j: unknown option, did you mean", async (args, typo, meant) => {
    const r = await nalssi(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: unknown option '${typo}'\n(Did you mean ${meant}?)\n`);
  });

  it("a required option that is really missing is still named", async () => {
    const r = await nalssi(["backfill", "--location", "seoul", "--to", "2025-05-02"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: required option '--from <date>' not specified\n");
  });
});
