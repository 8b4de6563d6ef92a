// `nalssi runs | runs compare | models | promote | rollback` as a user runs them: the real bin in a
// child process against a data folder (embedded libSQL file + objects/) seeded through the API.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../ports/clock.ts";
import { Registry } from "../../registry/registry.ts";
import { Tracker } from "../../tracking/tracker.ts";
import { seedRun } from "../../tracking/testing/seed.ts";
import { openJobs } from "../job-setup.ts";

const exec = promisify(execFile);
const bin = new URL("../../../bin/nalssi.js", import.meta.url).pathname;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function nalssi(dataDir: string, ...args: string[]): Promise<Result> {
  const env = { ...process.env, LIBSQL_URL: "", LIBSQL_AUTH_TOKEN: "", USER: "tester" };
  try {
    const { stdout, stderr } = await exec(process.execPath, [bin, ...args, "--data-dir", dataDir], { env });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** A one-line error with exit code 1 (or 2 for usage). */
function expectError(r: Result, code: 1 | 2, message: RegExp): void {
  expect(r.code).toBe(code);
  expect(r.stdout).toBe("");
  expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(r.stderr.trimEnd()).toMatch(message);
}

describe("registry and tracking commands", () => {
  let dir: string;
  const ids: Record<string, string> = {};
  const versions: Record<string, string> = {};

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "nalssi-registry-cli-"));
    const { deps, close } = await openJobs({ dataDir: dir }, {});
    const clock = fixedClock("2025-05-29T18:30:00Z");
    const tracker = new Tracker({ db: deps.db, objects: deps.objects, clock });
    const registry = new Registry({ db: deps.db, objects: deps.objects, clock });
    const add = async (name: string, o: Parameters<typeof seedRun>[1]) => {
      ids[name] = await seedRun(tracker, o);
      versions[name] = (await registry.register(ids[name]!)).version;
      clock.advance(3_600_000);
    };
    await add("v1", { rmse: 1.9, persistenceRmse: 2.2, params: { num_leaves: 31 } });
    await registry.applyGate({ location: "seoul", version: versions.v1!, productionRescore: null });
    await add("v2", { rmse: 1.8, persistenceRmse: 2.2, params: { num_leaves: 63 } });
    await registry.applyGate({
      location: "seoul",
      version: versions.v2!,
      productionRescore: { version: versions.v1!, window: { from: "2025-04-01T00:00:00Z", to: "2025-05-01T00:00:00Z", n: 720 }, rmse: 1.6 },
    });
    await add("busan", { rmse: 1.5, persistenceRmse: 2.0, location: "busan" });
    ids.failed = await tracker.startRun({ location: "seoul", code: { packageVersion: "0.1.0" } });
    clock.advance(42_000);
    await tracker.endRun(ids.failed, { status: "failed", error: new RangeError("holdout window is empty") });
    await close();
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("runs: a table newest first with duration, rmse, persistence and skill", async () => {
    const r = await nalssi(dir, "runs");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^RUN\s+LOCATION\s+STATUS\s+STARTED \(UTC\)\s+DURATION\s+RMSE\s+PERSISTENCE\s+SKILL$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual([ids.failed, ids.busan, ids.v2, ids.v1]);
    expect(lines[1]).toMatch(/seoul\s+failed \(RangeError\)\s+2025-05-29T21:30:00Z\s+42s\s+-\s+-\s+-$/);
    expect(lines[3]).toMatch(/seoul\s+succeeded\s+2025-05-29T19:30:00Z\s+0s\s+1\.800\s+2\.200\s+\+0\.182$/);
  });

  it("runs: filters and JSON", async () => {
    const busan = await nalssi(dir, "runs", "--location", "busan", "--json");
    expect(busan.code).toBe(0);
    const list = JSON.parse(busan.stdout) as { id: string; rmse: number; persistenceRmse: number }[];
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: ids.busan, rmse: 1.5, persistenceRmse: 2.0 });
    const one = await nalssi(dir, "runs", "--status", "succeeded", "--limit", "1", "--json");
    expect((JSON.parse(one.stdout) as { id: string }[]).map((x) => x.id)).toEqual([ids.busan]);
    expectError(await nalssi(dir, "runs", "--limit", "abc"), 2, /^nalssi: usage: --limit must be a whole number from 1 to 1000/);
    expectError(await nalssi(dir, "runs", "--status", "done"), 2, /--status must be one of running, succeeded, failed/);
  });

  it("runs compare: parameters and metrics side by side, differences marked", async () => {
    const r = await nalssi(dir, "runs", "compare", ids.v1!, ids.v2!);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`A = ${ids.v1}\nB = ${ids.v2}`);
    expect(r.stdout).toMatch(/^ {2}\* {2}num_leaves\s+31\s+63\s+\+32\.0000$/m);
    expect(r.stdout).toMatch(/^ {5}objective\s+regression\s+regression$/m);
    expect(r.stdout).toMatch(/^ {2}\* {2}holdout\.model\.rmse\s+1\.9\s+1\.8\s+-0\.1000$/m);
    expect(r.stdout).toMatch(/^ {5}holdout\.persistence\.rmse\s+2\.2\s+2\.2$/m);
    expect(r.stdout).toMatch(/^params \(1 of 3 differ\)$/m);

    const diff = await nalssi(dir, "runs", "compare", ids.v1!, ids.v2!, "--only-diff");
    expect(diff.stdout).not.toMatch(/objective/);
    const json = await nalssi(dir, "runs", "compare", ids.v1!, ids.v2!, "--json");
    const c = JSON.parse(json.stdout) as { params: { key: string; same: boolean }[] };
    expect(c.params.find((d) => d.key === "num_leaves")).toMatchObject({ same: false });

    expectError(await nalssi(dir, "runs", "compare", ids.v1!, "20990101T000000Z-00000000"), 1, /^nalssi: error: no training run "20990101T000000Z-00000000"$/);
    expectError(await nalssi(dir, "runs", "compare", ids.v1!), 2, /missing required argument 'runB'/);
  });

  it("models: aliases, versions with holdout scores, and the promotion history", async () => {
    const r = await nalssi(dir, "models");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^ {2}seoul\\s+production\\s+${versions.v1}\\s`, "m"));
    expect(r.stdout).toMatch(new RegExp(`^ {2}seoul\\s+candidate\\s+${versions.v2}\\s`, "m"));
    expect(r.stdout).toMatch(
      new RegExp(
        `^ {2}seoul\\s+${versions.v2}\\s+candidate\\s+${ids.v2}\\s+2025-04-01T00:00:00Z\\.\\.2025-05-01T00:00:00Z\\s+720\\s+1\\.800\\s+2\\.200\\s+\\+0\\.182\\s+nalssi-features-v1$`,
        "m",
      ),
    );
    expect(r.stdout).toMatch(
      new RegExp(`seoul candidate: \\(none\\) -> ${versions.v2}  gate_candidate by gate gate: kept as candidate: worse than production by more than 1%`),
    );
    expect(r.stdout).toMatch(new RegExp(`seoul production: \\(none\\) -> ${versions.v1}  gate_promote by gate gate: promoted:`));

    const json = JSON.parse((await nalssi(dir, "models", "--location", "busan", "--json")).stdout) as {
      versions: { version: string }[];
      aliases: unknown[];
      history: unknown[];
    };
    expect(json.versions.map((v) => v.version)).toEqual([versions.busan]);
    expect(json.aliases).toEqual([]);
    expectError(await nalssi(dir, "models", "--location", "Seoul"), 2, /--location "Seoul" is not a location id/);
  });

  it("promote and rollback: moves production, records who and why, and explains refusals on one line", async () => {
    expectError(
      await nalssi(dir, "promote", "20990101T000000Z"),
      1,
      /^nalssi: error: no model version "20990101T000000Z" for location seoul \(see `nalssi models --location seoul`\)$/,
    );
    expectError(await nalssi(dir, "promote", versions.busan!), 1, new RegExp(`model version "${versions.busan}" belongs to location busan, not seoul`));
    expectError(await nalssi(dir, "promote", versions.v1!), 1, /is already production for seoul/);
    expectError(await nalssi(dir, "rollback", "--location", "busan"), 1, /^nalssi: error: busan has no production version to roll back$/);
    expectError(await nalssi(dir, "rollback"), 1, /seoul has no earlier production version to roll back to/);
    expectError(await nalssi(dir, "promote"), 2, /missing required argument 'version'/);

    const p = await nalssi(dir, "promote", versions.v2!, "--by", "kim", "--reason", "better on the spring holdout");
    expect(p.stderr).toBe("");
    expect(p.code).toBe(0);
    expect(p.stdout).toMatch(
      new RegExp(
        `seoul production: ${versions.v1} -> ${versions.v2}  promote by kim: better on the spring holdout\\n.*seoul candidate: ${versions.v2} -> \\(none\\)  clear by kim`,
      ),
    );

    const back = await nalssi(dir, "rollback", "--reason", "odd forecasts");
    expect(back.code).toBe(0);
    expect(back.stdout).toMatch(new RegExp(`seoul production: ${versions.v2} -> ${versions.v1}  rollback by tester: odd forecasts`));
    const m = JSON.parse((await nalssi(dir, "models", "--location", "seoul", "--json")).stdout) as { aliases: { alias: string; version: string }[] };
    expect(m.aliases).toEqual([expect.objectContaining({ alias: "production", version: versions.v1 })]);
  });

  it("promote checks the model file first, unless told not to", async () => {
    const { deps, close } = await openJobs({ dataDir: dir }, {});
    const v = await new Registry({ db: deps.db }).getVersion("seoul", versions.v2!);
    await deps.objects.put(v.model.key, "damaged");
    await close();
    expectError(
      await nalssi(dir, "promote", versions.v2!, "--by", "kim"),
      1,
      /the model of seoul version .* has SHA-256 [0-9a-f]{64}, registered [0-9a-f]{64}$/,
    );
    const forced = await nalssi(dir, "promote", versions.v2!, "--by", "kim", "--skip-artifact-check", "--json");
    expect(forced.code).toBe(0);
    expect((JSON.parse(forced.stdout) as { to: string }[])[0]!.to).toBe(versions.v2);
  });
});
