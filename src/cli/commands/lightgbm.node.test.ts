// `nalssi lightgbm train|predict` as a user runs it: real processes, real files, exit codes.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import * as fixture from "../../model/lightgbm-wasm/fixtures/seoul-bike.fixture.ts";

const exec = promisify(execFile);
const bin = new URL("../../../bin/nalssi.js", import.meta.url).pathname;

async function nalssi(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [bin, ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe("nalssi lightgbm", () => {
  let dir: string;
  let csv: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "nalssi-cli-"));
    csv = join(dir, "seoul.csv");
    await writeFile(csv, fixture.csv);
  });

  it("trains the same model as native LightGBM and predicts the same values", async () => {
    const model = join(dir, "model.txt");
    const r = await nalssi("lightgbm", "train", csv, "--label", fixture.label, "--output", model, ...fixture.params.split(" "));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^trained 120 iterations on 2000 rows x 9 features/);
    expect(await readFile(model, "utf8")).toBe(fixture.nativeModel);

    const out = join(dir, "pred.txt");
    const p = await nalssi("lightgbm", "predict", csv, "--model", model, "--output", out);
    expect(p.code).toBe(0);
    const ours = (await readFile(out, "utf8")).trim().split("\n").map(Number);
    const native = fixture.nativePredictions.trim().split("\n").map(Number);
    expect(ours).toEqual(native);
  });

  it("early-stops on a validation file and prints JSON", async () => {
    const lines = fixture.csv.trim().split("\n");
    const train = join(dir, "train.csv");
    const valid = join(dir, "valid.csv");
    await writeFile(train, `${lines.slice(0, 1601).join("\n")}\n`);
    await writeFile(valid, `${[lines[0], ...lines.slice(1601)].join("\n")}\n`);
    const r = await nalssi(
      "lightgbm",
      "train",
      train,
      "--label",
      fixture.label,
      "-o",
      join(dir, "es.txt"),
      "--valid",
      valid,
      "--json",
      "num_iterations=2000",
      "learning_rate=0.3",
      "early_stopping_round=5",
      "verbosity=-1",
    );
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as { stopped_early: boolean; iterations: number; best_iteration: number };
    expect(summary.stopped_early).toBe(true);
    expect(summary.iterations).toBeLessThan(2000);
    expect(summary.best_iteration).toBe(summary.iterations - 5);
  });

  it("fails with one clear line and exit 1 on bad data", async () => {
    const bad = join(dir, "bad.csv");
    await writeFile(bad, "a,b,y\n1,2,3\n4,oops,6\n");
    const r = await nalssi("lightgbm", "train", bad, "--label", "y", "-o", join(dir, "x.txt"));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`nalssi: error: ${bad} line 3, column "b" (2): "oops" is not a number\n`);

    const empty = join(dir, "empty.csv");
    await writeFile(empty, "");
    expect((await nalssi("lightgbm", "train", empty, "--label", "y", "-o", join(dir, "x.txt"))).stderr).toBe(`nalssi: error: ${empty} is empty\n`);

    const noLabel = await nalssi("lightgbm", "train", csv, "--label", "nope", "-o", join(dir, "x.txt"));
    expect(noLabel.code).toBe(1);
    expect(noLabel.stderr).toMatch(/^nalssi: error: .* has no label column "nope" \(columns: hour, temperature/);

    const missing = await nalssi("lightgbm", "train", join(dir, "nothere.csv"), "--label", "y", "-o", join(dir, "x.txt"));
    expect(missing.stderr).toMatch(/data file .*nothere.csv does not exist/);
  });

  it("names an unknown parameter value (LightGBM's message) and an unknown parameter name", async () => {
    const r = await nalssi("lightgbm", "train", csv, "--label", fixture.label, "-o", join(dir, "x.txt"), "objective=regresion");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("nalssi: error: Unknown objective type name: regresion\n");
    const n = await nalssi("lightgbm", "train", csv, "--label", fixture.label, "-o", join(dir, "x.txt"), "nmu_leaves=4");
    expect(n.code).toBe(2);
    expect(n.stderr).toBe("nalssi: usage: unknown LightGBM parameter: nmu_leaves (did you mean num_leaves?)\n");
    const f = await nalssi("lightgbm", "train", csv, "--label", fixture.label, "-o", join(dir, "x.txt"), "output_model=m.txt");
    expect(f.stderr).toBe("nalssi: usage: parameter output_model: use --output <model.txt>\n");
    const t = await nalssi("lightgbm", "train", csv, "--label", fixture.label, "-o", join(dir, "x.txt"), "num_leaves");
    expect(t.code).toBe(2);
  });

  it("exits 2 on usage errors and 0 on --help", async () => {
    const r = await nalssi("lightgbm", "train", csv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("required option '--label <column>' not specified");
    const h = await nalssi("lightgbm", "train", "--help");
    expect(h.code).toBe(0);
    expect(h.stdout).toContain("LightGBM parameters as key=value");
    const u = await nalssi("nope");
    expect(u.code).toBe(2);
  });

  it("predicts by feature name when the columns are reordered or extra", async () => {
    const model = join(dir, "model.txt");
    const lines = fixture.csv
      .trim()
      .split("\n")
      .slice(0, 6)
      .map((l) => l.split(","));
    const reordered = lines.map((c) => [c[9], ...c.slice(0, 9).reverse()].join(","));
    const f = join(dir, "reordered.csv");
    await writeFile(f, `${reordered.join("\n")}\n`);
    const out = join(dir, "pred2.txt");
    expect((await nalssi("lightgbm", "predict", f, "-m", model, "-o", out)).code).toBe(0);
    const native = fixture.nativePredictions.trim().split("\n").slice(0, 5).map(Number);
    expect((await readFile(out, "utf8")).trim().split("\n").map(Number)).toEqual(native);
  });
});
