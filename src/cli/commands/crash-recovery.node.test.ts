// kill -9 of real `nalssi import` and `nalssi train` processes at several points, then the same
// command again, as an operator would: it succeeds (train waits for the dead run's lease to
// expire), the row counts are exact, and once the dead runs' heartbeat leases have expired no run is
// left `running` (the next command marks them failed, error_class 'abandoned').
// RUN_LEASE_SECONDS=3 shortens the 60 s lease so the test takes seconds, not minutes.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../../../bin/nalssi.js", import.meta.url));
const csv = fileURLToPath(new URL("../../../data/seoul/SeoulBikeData.csv", import.meta.url));
const LEASE_S = 3;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "nalssi-crash-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const env = { ...process.env, LIBSQL_URL: "", KMA_SERVICE_KEY: "", RUN_LEASE_SECONDS: String(LEASE_S) };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs the command; kills it with SIGKILL `killAfterMs` after it starts, or 300 ms after its output
 * first matches `killWhen`. Resolves with the exit code or signal.
 */
function nalssi(args: string[], kill?: number | RegExp): Promise<{ code: number | null; signal: string | null; stderr: string; ms: number }> {
  const t0 = Date.now();
  const child = spawn(process.execPath, [bin, ...args, "--data-dir", dir], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  let output = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const killSoon = (ms: number) => (timer ??= setTimeout(() => child.kill("SIGKILL"), ms));
  if (typeof kill === "number") killSoon(kill);
  const watch = (d: Buffer) => {
    output += d.toString();
    if (kill instanceof RegExp && kill.test(output)) killSoon(300);
  };
  child.stdout.on("data", watch);
  child.stderr.on("data", (d: Buffer) => ((stderr += d.toString()), watch(d)));
  return new Promise((resolve) => child.on("exit", (code, signal) => (clearTimeout(timer), resolve({ code, signal, stderr, ms: Date.now() - t0 }))));
}

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const db = createClient({ url: `file:${join(dir, "nalssi.db")}` });
  try {
    return (await db.execute(sql)).rows.map((r) => ({ ...r }));
  } finally {
    db.close();
  }
}

describe("kill -9, then the same command again", () => {
  it("import: killed at several points, re-run succeeds with exact counts; no ingest run stays running", async () => {
    // killed inside the rows' transaction (the run row says running), then twice while the daily CSV
    // partitions are written to the object folder (after the commit)
    const killed: string[] = [];
    for (const at of [/rows parsed, writing them/, /CSV partitions 30\//, /CSV partitions 150\//]) {
      const r = await nalssi(["import", csv, "-v"], at);
      if (r.signal === "SIGKILL") killed.push(String(at));
    }
    expect(killed.length).toBeGreaterThanOrEqual(2);
    const again = await nalssi(["import", csv]);
    expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    expect(again.ms).toBeLessThan(120_000);
    expect(await query("SELECT count(*) AS n FROM observations WHERE source = 'import'")).toEqual([{ n: 8760 }]);
    const last = (await query("SELECT status, rows_inserted + rows_updated + rows_skipped AS n, rows_updated FROM ingest_runs ORDER BY id DESC LIMIT 1"))[0];
    expect(last).toEqual({ status: "succeeded", n: 8760, rows_updated: 0 });
    await sleep(LEASE_S * 1000 + 1500);
    expect((await nalssi(["runs", "--limit", "1"])).code).toBe(0); // any command reconciles
    expect(await query("SELECT count(*) AS n FROM ingest_runs WHERE status = 'running'")).toEqual([{ n: 0 }]);
    const abandoned = await query("SELECT error_message FROM ingest_runs WHERE error_class = 'abandoned'");
    expect(abandoned.length).toBeGreaterThanOrEqual(1);
    expect(String(abandoned[0]!.error_message)).toMatch(/^abandoned: .*noticed at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // every row was inserted exactly once, by one of the runs that committed
    expect(
      await query(
        "SELECT sum(rows_inserted) AS inserted, sum(rows_updated) AS updated, min(rows_inserted + rows_skipped) AS least FROM ingest_runs WHERE status = 'succeeded'",
      ),
    ).toEqual([{ inserted: 8760, updated: 0, least: 8760 }]);
  }, 180_000);

  it("train: killed mid-pipeline, re-run at once waits for the dead lease and succeeds; no pipeline, step or training run stays running", async () => {
    // killed while building the dataset, while LightGBM trains (a training run is open), while evaluating
    for (const after of [/check_data done/, /build_dataset done/, /\btrain done/]) {
      const r = await nalssi(["train", "--date", "2018-12-01"], after);
      expect(r.signal).toBe("SIGKILL");
    }
    expect((await query("SELECT count(*) AS n FROM pipeline_runs WHERE status = 'running'"))[0]!.n).toBeGreaterThanOrEqual(1);
    expect((await query("SELECT count(*) AS n FROM training_runs WHERE status = 'running'"))[0]!.n).toBeGreaterThanOrEqual(1);
    const again = await nalssi(["train", "--date", "2018-12-01"]);
    expect({ code: again.code }).toEqual({ code: 0 });
    expect(again.ms).toBeLessThan(120_000);
    await sleep(LEASE_S * 1000 + 1500);
    expect((await nalssi(["runs", "--limit", "1"])).code).toBe(0);
    expect(await query("SELECT count(*) AS n FROM pipeline_runs WHERE status = 'running'")).toEqual([{ n: 0 }]);
    expect(
      await query(
        "SELECT r.status AS run, r.error_class, s.step, s.status FROM pipeline_steps s JOIN pipeline_runs r ON r.id = s.run_id WHERE s.status IN ('running', 'pending')",
      ),
    ).toEqual([]);
    expect(await query("SELECT count(*) AS n FROM training_runs WHERE status = 'running'")).toEqual([{ n: 0 }]);
    expect(await query("SELECT status, error_class FROM pipeline_runs ORDER BY started_at DESC, id DESC LIMIT 1")).toEqual([
      { status: "succeeded", error_class: null },
    ]);
    expect((await query("SELECT count(*) AS n FROM pipeline_runs WHERE error_class = 'abandoned'"))[0]!.n).toBe(3);
    expect((await query("SELECT count(*) AS n FROM training_runs WHERE error_class = 'abandoned'"))[0]!.n).toBeGreaterThanOrEqual(1);
    expect(await query("SELECT count(*) AS n FROM leases WHERE name LIKE 'run:%'")).toEqual([{ n: 0 }]);
  }, 240_000);
});
