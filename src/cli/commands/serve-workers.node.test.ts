// `nalssi serve --workers 2` as a user runs it (the real bin, node:cluster): both workers answer on one
// port, a killed worker is replaced with a log line, and SIGTERM stops everything with exit code 0 and
// no process left behind.
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_RECIPE } from "../../model/features-recipes.ts";
import { type SeededDataDir, seedSeoulDataDir } from "../../../test/serve/seoul-data-dir.ts";
import { startServeProcess } from "../../../test/serve/serve-process.ts";

let dir: string;
let seeded: SeededDataDir;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "nalssi-serve-workers-"));
  seeded = await seedSeoulDataDir(dir, [DEFAULT_RECIPE]);
}, 120_000);

afterAll(async () => {
  seeded?.artifacts.forEach((a) => a.fitted.booster.free());
  await rm(dir, { recursive: true, force: true });
});

/** Live child processes of `pid` (Linux /proc). */
function children(pid: number): number[] {
  const out: number[] = [];
  for (const p of readdirSync("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === pid && fields[0] !== "Z") out.push(Number(p));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("nalssi serve --workers", () => {
  it("serves from two workers, replaces a killed one, and stops cleanly on SIGTERM", async () => {
    const server = await startServeProcess(dir, { MODEL_RELOAD_SECONDS: "1" }, ["--workers", "2"]);
    const primary = server.child.pid!;
    let workers: number[] = [];
    try {
      await until("two workers", () => (workers = children(primary)).length === 2);
      const health = await Promise.all(Array.from({ length: 8 }, () => fetch(`${server.url}/healthz`)));
      expect(health.map((r) => r.status)).toEqual(Array(8).fill(200));
      const body = (await health[0]!.json()) as { locations: { model_version: string }[] };
      expect(body.locations[0]!.model_version).toBe(seeded.versions[0]);

      process.kill(workers[0]!, "SIGKILL");
      await until("the restart log line", () => /worker \d+ exited \(signal SIGKILL\); starting a new one/.test(server.stderr()));
      await until("a replacement worker", () => {
        const now = children(primary);
        return now.length === 2 && !now.includes(workers[0]!);
      });
      const after = await Promise.all(Array.from({ length: 8 }, () => fetch(`${server.url}/healthz`)));
      expect(after.map((r) => r.status)).toEqual(Array(8).fill(200));
      workers = children(primary);
    } finally {
      const code = await server.stop();
      expect(code).toBe(0);
    }
    expect(server.stderr()).toMatch(/SIGTERM: stopping 2 worker\(s\)/);
    expect(workers.filter(alive)).toEqual([]);
  }, 90_000);
});
