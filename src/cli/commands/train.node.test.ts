// `nalssi train` on data that ends long before the run date (the bundled 2018 year, today's date):
// the reason is said once, and the date that would train on the data is suggested.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIKE } from "../../../test/serve/seoul-data-dir.ts";
import { openNodeDatabase } from "../../adapters/node/database.ts";
import { migrate } from "../../db/migrate.ts";
import { DAY_MS, HOUR_MS } from "../../model/series.ts";
import { storeObservations } from "../../serving/testing/fixtures.ts";

const BIN = fileURLToPath(new URL("../../../bin/nalssi.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "nalssi-train-cli-"));

beforeAll(async () => {
  const series = BIKE();
  const last = series.observations.at(-1)!.time; // 2018-11-30T14:00Z = 23:00 KST
  const { db } = await openNodeDatabase({ dataDir: dir, env: {} });
  try {
    await migrate(db);
    await storeObservations(db, series, "seoul", last - 100 * DAY_MS, last + HOUR_MS, new Date());
  } finally {
    db.close();
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function train(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, "train", "--data-dir", dir, ...args], { encoding: "utf8", env: { ...process.env, LIBSQL_URL: "" } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("nalssi train on data that ends before the run date", () => {
  it("says why once, and suggests --date the day after the newest observation", () => {
    const r = train();
    expect(r.code).toBe(1);
    expect(`${r.out}${r.err}`.match(/ingest is behind/g)).toHaveLength(1);
    expect(r.out).toMatch(/check_data\s+failed .*newest observation for seoul is 2018-11-30T14:00:00Z/);
    expect(r.err.trimEnd().split("\n").at(-1)).toMatch(
      /^nalssi: error: training run \S+ failed at step check_data \(above\); to train on the data up to its newest observation, run `nalssi train --date 2018-12-01` \(the KST day after it\)$/,
    );
  });

  it("with --json: the run on stdout, the reason and the suggestion once on stderr", () => {
    const r = train("--json");
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ status: "failed", errorStep: "check_data" });
    expect(r.err.match(/ingest is behind/g)).toHaveLength(1);
    expect(r.err).toContain("`nalssi train --date 2018-12-01`");
  });

  it("no suggestion when the run date is not after the data (too little history is another problem)", () => {
    const r = train("--date", "2018-09-01");
    expect(r.code).toBe(1);
    expect(r.err).not.toContain("--date");
  });
});
