// `nalssi serve` and `nalssi start` refuse a guessable ADMIN_TOKEN before opening anything: exit 2
// (usage) with one line that says what to do and never shows the token.
import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";

const bin = new URL("../../../bin/nalssi.js", import.meta.url).pathname;
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { ...process.env, LIBSQL_URL: "", KMA_SERVICE_KEY: "", ...env }, timeout: 30_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

it.each([["serve"], ["start"]])("nalssi %s with a 7-character ADMIN_TOKEN exits 2 with one line, creating nothing", async (command) => {
  const dir = await mkdtemp(join(tmpdir(), "nalssi-admin-token-"));
  dirs.push(dir);
  const r = await run([command, "--port", "0", "--data-dir", join(dir, "data")], { ADMIN_TOKEN: "hunter2" });
  expect(r.code).toBe(2);
  const lines = r.stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/ADMIN_TOKEN is 7 characters; use at least 32/);
  expect(r.stderr + r.stdout).not.toContain("hunter2");
  expect(await readdir(dir)).toEqual([]);
});
