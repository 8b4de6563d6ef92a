// `nalssi ingest | backfill | import` as a user runs them: the real bin in a child process, a temporary
// data folder, KMA = the mock server on loopback (test/kma-mock), exit codes and messages.
import { execFile } from "node:child_process";
import { access, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "@libsql/client";
import { startKmaMock } from "../../../test/kma-mock/server.ts";
import type { KmaMock } from "../../../test/kma-mock/server.ts";
import { MOCK_INGEST_AT, jobMockDatasets } from "../../../test/jobs/mock-datasets.ts";
import { startHranaDevServer } from "../../../tools/hrana-dev-server/server.ts";
import { keyForms } from "../../jobs/test-fakes.ts";

const bin = new URL("../../../bin/nalssi.js", import.meta.url).pathname;
const repo = new URL("../../../", import.meta.url).pathname;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function nalssi(args: string[], env: Record<string, string> = {}, cwd?: string): Promise<Run> {
  return new Promise((resolve) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(KMA_|LIBSQL_)/.test(k)));
    execFile(process.execPath, [bin, ...args], { env: { ...clean, ...env }, cwd: cwd ?? repo, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

let mock: KmaMock;
let root: string;
let kmaEnv: Record<string, string>;
beforeAll(async () => {
  mock = await startKmaMock({ extraDatasets: jobMockDatasets() });
  root = await mkdtemp(join(tmpdir(), "nalssi-data-jobs-"));
  kmaEnv = { KMA_SERVICE_KEY: mock.serviceKey, KMA_BASE_URL: mock.baseUrl };
});
afterAll(async () => {
  await mock.close();
});

let n = 0;
const freshDir = () => join(root, `data-${++n}`);

async function query(dataDir: string, sql: string) {
  const db = createClient({ url: `file:${join(dataDir, "nalssi.db")}` });
  try {
    return (await db.execute(sql)).rows.map((r) => ({ ...r }));
  } finally {
    db.close();
  }
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe("nalssi ingest", () => {
  it("refuses to run without KMA_SERVICE_KEY, in one line, before touching the data folder", async () => {
    const dir = freshDir();
    const r = await nalssi(["ingest", "--data-dir", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("nalssi: usage: KMA_SERVICE_KEY is not set: export your data.go.kr service key (Encoding or Decoding form) to fetch from KMA\n");
    expect(await exists(dir)).toBe(false);
  });

  it("stores the newest nowcast and forecast, and a second run skips everything", async () => {
    const dir = freshDir();
    const first = await nalssi(["ingest", "--data-dir", dir, "--at", MOCK_INGEST_AT], kmaEnv);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(
      "ingest seoul ultra_srt_ncst 20250529 0200 KST: 1 inserted, 0 updated, 0 skipped (run 1)\ningest seoul vilage_fcst 20250529 0200 KST: 944 inserted, 0 updated, 0 skipped (run 2)\n",
    );
    const second = await nalssi(["ingest", "--data-dir", dir, "--at", MOCK_INGEST_AT, "--json"], kmaEnv);
    expect(second.code).toBe(0);
    const json = JSON.parse(second.stdout);
    expect(json.ok).toBe(true);
    expect(json.steps.map((s: { counts: unknown }) => s.counts)).toEqual([
      { inserted: 0, updated: 0, skipped: 1 },
      { inserted: 0, updated: 0, skipped: 944 },
    ]);
    expect(await query(dir, "SELECT count(*) AS n FROM forecasts")).toEqual([{ n: 944 }]);
    expect(await exists(join(dir, "objects/raw/kma/getVilageFcst/seoul/2025-05-29/0200.json"))).toBe(true);
    expect(await readFile(join(dir, "objects/csv/observations/seoul/2025/2025-05-28.csv"), "utf8")).toMatch(/^observed_at,primary_source,/);
  });

  it("exits 1 with a one-line error naming the cause when a step fails, records it, and leaks no key", async () => {
    const dir = freshDir();
    mock.reset();
    mock.script({ type: "gateway-xml", code: "30" });
    const r = await nalssi(["ingest", "--data-dir", dir, "--at", MOCK_INGEST_AT], kmaEnv);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines[lines.length - 1]).toMatch(
      /^nalssi: error: ingest failed for 1 of 2 steps: seoul ultra_srt_ncst: KmaError:auth: getUltraSrtNcst: .*SERVICE_KEY_IS_NOT_REGISTERED_ERROR/,
    );
    expect(r.stdout).toMatch(/^ingest seoul ultra_srt_ncst 20250529 0200 KST: FAILED KmaError:auth: /);
    expect(r.stdout).toMatch(/\ningest seoul vilage_fcst 20250529 0200 KST: 944 inserted/);
    const runs = await query(dir, "SELECT job, status, error_class FROM ingest_runs ORDER BY id");
    expect(runs).toEqual([
      { job: "ultra_srt_ncst", status: "failed", error_class: "KmaError:auth" },
      { job: "vilage_fcst", status: "succeeded", error_class: null },
    ]);
    const text =
      r.stdout +
      r.stderr +
      JSON.stringify(await query(dir, "SELECT * FROM ingest_runs")) +
      (await readFile(join(dir, "objects/raw/kma/getVilageFcst/seoul/2025-05-29/0200.json"), "utf8"));
    for (const form of keyForms(mock.serviceKey)) expect(text).not.toContain(form);
  });

  it("rejects bad arguments with exit code 2", async () => {
    expect(await nalssi(["ingest", "--at", "yesterday"], kmaEnv)).toMatchObject({
      code: 2,
      stderr: 'nalssi: usage: --at must be an ISO 8601 time with Z or an offset (e.g. 2025-05-29T02:15+09:00), got "yesterday"\n',
    });
    expect(await nalssi(["ingest", "--location", "busan"], kmaEnv)).toMatchObject({
      code: 2,
      stderr: 'nalssi: usage: --location: unknown location "busan"; known: seoul\n',
    });
    expect(await nalssi(["ingest", "--data-dir", freshDir()], { ...kmaEnv, KMA_SERVICE_KEY: "not a key" })).toMatchObject({ code: 2 });
  });
});

describe("nalssi backfill", () => {
  it("stores the days, stops at a failure with a one-line error, and resumes with only the missing days", async () => {
    const dir = freshDir();
    mock.reset();
    mock.script({ type: "ok" }, { type: "gateway-xml", code: "22" });
    const args = ["backfill", "--location", "seoul", "--from", "2025-05-01", "--to", "2025-05-03", "--data-dir", dir];
    // 22 (rate limit) is retried: four attempts with backoff; script the remaining three too.
    mock.script({ type: "gateway-xml", code: "22" }, { type: "gateway-xml", code: "22" }, { type: "gateway-xml", code: "22" });
    const first = await nalssi(args, kmaEnv);
    expect(first.code).toBe(1);
    const lines = first.stderr.trim().split("\n");
    expect(lines).toContain("backfill seoul 1/3: 2025-05-01: 24 inserted, 0 updated, 0 skipped");
    expect(lines[lines.length - 1]).toMatch(
      /^nalssi: error: backfill stopped at 2025-05-02: KmaError:rate-limited: getWthrDataList: .*LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR.* \(1 days committed before it, run 1 recorded as failed; run the same command again to resume\)$/,
    );
    expect(await query(dir, "SELECT status, rows_inserted, error_class FROM ingest_runs")).toEqual([
      { status: "failed", rows_inserted: 24, error_class: "KmaError:rate-limited" },
    ]);

    mock.reset();
    const second = await nalssi(args, kmaEnv);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(
      "backfill seoul (ASOS station 108) 2025-05-01..2025-05-03: 2 days stored, 1 already complete, 0 without data at KMA; 48 inserted, 0 updated, 0 skipped (run 2)\n",
    );
    expect(mock.requests.map((r) => r.params.startDt)).toEqual(["20250502", "20250503"]);
    expect(await query(dir, "SELECT count(*) AS n FROM observations WHERE source = 'asos'")).toEqual([{ n: 72 }]);

    mock.reset();
    const third = await nalssi([...args, "--json"], kmaEnv);
    expect(third.code).toBe(0);
    expect(JSON.parse(third.stdout)).toMatchObject({ status: "succeeded", daysComplete: 3, daysMissing: 0 });
    expect(mock.requests).toEqual([]);
  }, 60_000);

  it("rejects what it cannot do with exit code 2", async () => {
    const dir = freshDir();
    expect(await nalssi(["backfill", "--location", "seoul", "--from", "2025-05-01", "--to", "2999-01-01", "--data-dir", dir], kmaEnv)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^nalssi: usage: --to 2999-01-01 is too recent: KMA serves ASOS hourly data up to yesterday \(KST\), \d{4}-\d{2}-\d{2}\n$/),
    });
    expect(await nalssi(["backfill", "--location", "seoul", "--from", "2025-05-01"], kmaEnv)).toMatchObject({
      code: 2,
      stderr: "error: required option '--to <date>' not specified\n",
    });
    expect(await nalssi(["backfill", "--location", "seoul", "--from", "2025-05-01", "--to", "2025-05-02"])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/KMA_SERVICE_KEY is not set/),
    });
    expect(await nalssi(["backfill", "--location", "seoul", "--from", "1 May", "--to", "2025-05-02", "--data-dir", dir], kmaEnv)).toMatchObject({
      code: 2,
      stderr: 'nalssi: usage: --from must be a KST date YYYY-MM-DD, got "1 May"\n',
    });
  });
});

describe("nalssi import", () => {
  it("imports the three layouts from the real files, without a KMA key", async () => {
    const dir = freshDir();
    const asos = await nalssi(["import", join(repo, "data/seoul/asos108_hourly_20250430_20250529.csv"), "--data-dir", dir]);
    expect(asos).toEqual({
      code: 0,
      stderr: "",
      stdout:
        "imported asos108_hourly_20250430_20250529.csv (asos-api, utf-8) into seoul: 720 inserted, 0 updated, 0 skipped; 0 bad rows skipped; quality flags (kept, not used): none (run 1)\n",
    });
    // The portal export holds the same real values for 2025-05-01: nothing changes.
    const portal = await nalssi(["import", join(repo, "test/fixtures/import/kma_portal_asos108_20250501.cp949.csv"), "--data-dir", dir]);
    expect(portal).toEqual({
      code: 0,
      stderr: "",
      stdout:
        "imported kma_portal_asos108_20250501.cp949.csv (kma-portal, cp949) into seoul: 0 inserted, 0 updated, 24 skipped; 0 bad rows skipped; quality flags (kept, not used): none (run 2)\n",
    });
    const bike = await nalssi(["import", join(repo, "data/seoul/SeoulBikeData.csv"), "--data-dir", dir, "--json"]);
    expect(bike.code).toBe(0);
    expect(JSON.parse(bike.stdout)).toMatchObject({
      format: "seoul-bike",
      encoding: "utf-8",
      locationId: "seoul",
      status: "succeeded",
      rowsRead: 8760,
      counts: { inserted: 8760, updated: 0, skipped: 0 },
      quality: { temperature_c: { spike: 1 } },
      flaggedRows: 1,
    });
    expect(
      await query(dir, "SELECT min(observed_at) AS a, max(observed_at) AS b, count(*) AS n FROM observations WHERE observed_at < '2019-01-01T00:00:00Z'"),
    ).toEqual([{ a: "2017-11-30T15:00:00Z", b: "2018-11-30T14:00:00Z", n: 8760 }]);
  }, 120_000);

  it("reports bad rows by line and column and skips them; --strict writes nothing", async () => {
    const dir = freshDir();
    const file = join(root, "edited.csv");
    const real = (await readFile(join(repo, "data/seoul/asos108_hourly_20250430_20250529.csv"), "utf8")).split("\n").slice(0, 4);
    // Line 3 is a real row with its ta edited to "n/a".
    await writeFile(file, [real[0], real[1], real[2]!.replace(/^([^,]*,[^,]*,[^,]*,[^,]*),[^,]*,/, "$1,n/a,"), real[3]].join("\n"));
    const strict = await nalssi(["import", file, "--strict", "--data-dir", dir]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toBe(
      'nalssi: edited.csv: bad row: line 3, ta (column 5): "n/a" is not a number\nnalssi: error: edited.csv: --strict and 1 bad rows (first: line 3, ta (column 5): "n/a" is not a number); nothing written\n',
    );
    expect(await query(dir, "SELECT (SELECT count(*) FROM observations) AS o, (SELECT count(*) FROM ingest_runs) AS r")).toEqual([{ o: 0, r: 0 }]);
    const lenient = await nalssi(["import", file, "--data-dir", dir]);
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toBe('nalssi: edited.csv: bad row skipped: line 3, ta (column 5): "n/a" is not a number\n');
    expect(lenient.stdout).toBe(
      "imported edited.csv (asos-api, utf-8) into seoul: 2 inserted, 0 updated, 0 skipped; 1 bad rows skipped; quality flags (kept, not used): none (run 1)\n",
    );
  });

  it("fails with exit code 1 on a file it cannot read, and 2 on a bad location", async () => {
    const dir = freshDir();
    expect(await nalssi(["import", join(root, "missing.csv"), "--data-dir", dir])).toMatchObject({
      code: 1,
      stderr: `nalssi: error: file ${join(root, "missing.csv")} does not exist\n`,
    });
    const other = join(root, "other.csv");
    await writeFile(other, "time,temp\n2025-01-01 00:00,1\n");
    expect(await nalssi(["import", other, "--data-dir", dir])).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^nalssi: error: cannot tell the CSV layout from its header \(time, temp\)/),
    });
    expect(await nalssi(["import", other, "--location", "mars", "--data-dir", dir])).toMatchObject({
      code: 2,
      stderr: 'nalssi: usage: --location: unknown location "mars"; known: seoul\n',
    });
  });

  it("writes to a remote libSQL database from LIBSQL_URL / LIBSQL_AUTH_TOKEN and never prints the token", async () => {
    const token = randomBytes(16).toString("hex");
    const server = await startHranaDevServer({ dbPath: join(root, "remote.db"), port: 0, token });
    try {
      const dir = freshDir();
      const r = await nalssi(["import", join(repo, "test/fixtures/import/kma_portal_asos108_20250501.utf8.csv"), "--data-dir", dir], {
        LIBSQL_URL: server.url,
        LIBSQL_AUTH_TOKEN: token,
      });
      expect(r).toMatchObject({ code: 0, stdout: expect.stringMatching(/24 inserted/) });
      expect(await exists(join(dir, "nalssi.db"))).toBe(false);
      const remote = createClient({ url: `file:${join(root, "remote.db")}` });
      expect((await remote.execute("SELECT count(*) AS n FROM observations")).rows[0]!.n).toBe(24);
      remote.close();
      const wrong = await nalssi(["import", join(repo, "test/fixtures/import/kma_portal_asos108_20250501.utf8.csv"), "--data-dir", dir], {
        LIBSQL_URL: server.url,
        LIBSQL_AUTH_TOKEN: "wrong-token-1234",
      });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr.trim().split("\n")).toHaveLength(1);
      expect(wrong.stderr).toMatch(/401/);
      expect(wrong.stderr + r.stderr + r.stdout).not.toContain(token);
      expect(wrong.stderr).not.toContain("wrong-token-1234");
    } finally {
      await server.close();
    }
  });
});
