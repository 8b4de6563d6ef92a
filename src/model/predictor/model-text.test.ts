// Model text is accepted whole or refused with a ModelTextError naming the problem: truncation
// anywhere, damaged numbers, wrong lengths, inconsistent or unsupported content. A text that is
// accepted predicts exactly like the intact one.
import { describe, expect, it } from "vitest";
import * as fx from "../lightgbm-wasm/fixtures/synthetic-missing.fixture.ts";
import { ModelTextError, type ModelTextProblem } from "./errors.ts";
import type { Model } from "./model.ts";
import { parseModel } from "./parse-model.ts";
import { buildModelText, type TreeSpec } from "./testing/model-text-builder.ts";
import { mixedServing, rng } from "./testing/synthetic.ts";

const TEXT = fx.nativeModel;

function refusal(text: string): ModelTextError {
  try {
    parseModel(text);
  } catch (e) {
    if (e instanceof ModelTextError) return e;
    throw new Error(`expected a ModelTextError, got ${String(e)}`);
  }
  throw new Error("expected the text to be refused, but it was accepted");
}

function expectRefused(text: string, problem: ModelTextProblem, message: RegExp): void {
  const e = refusal(text);
  expect(e.problem).toBe(problem);
  expect(e.message).toMatch(message);
}

/** Replaces the first occurrence of `from` (which must exist) within the text of tree `tree`. */
function inTree(text: string, tree: number, from: string, to: string): string {
  const start = text.indexOf(`\nTree=${tree}\n`);
  const at = text.indexOf(from, start);
  if (start < 0 || at < 0) throw new Error(`test setup: ${JSON.stringify(from)} not found in Tree=${tree}`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/** The value line `key=` of tree `tree`. */
function treeLine(text: string, tree: number, key: string): string {
  const start = text.indexOf(`\nTree=${tree}\n`);
  const at = text.indexOf(`\n${key}=`, start);
  return text.slice(at + 1, text.indexOf("\n", at + 1));
}

/** Tree-line edits that keep tree_sizes right (so the damage itself must be noticed). */
function editTreeLine(text: string, tree: number, key: string, edit: (values: string[]) => string[]): string {
  const line = treeLine(text, tree, key);
  const values = line.slice(key.length + 1).split(" ");
  const replaced = `${key}=${edit(values).join(" ")}`;
  const delta = replaced.length - line.length;
  let out = inTree(text, tree, line, replaced);
  if (delta !== 0) {
    out = out.replace(
      /^tree_sizes=(.*)$/m,
      (_, sizes: string) =>
        `tree_sizes=${sizes
          .split(" ")
          .map((s, i) => (i === tree ? String(Number(s) + delta) : s))
          .join(" ")}`,
    );
  }
  return out;
}

describe("model text: accepted whole or refused with a clear error", () => {
  const serve = mixedServing(200, 5);
  // The fixture has 6 features, as the mixed serving table does.
  const intact = parseModel(TEXT);
  const expected = intact.predictBatch(serve.data, serve.rows);
  const samePredictions = (m: Model) => Array.from(m.predictBatch(serve.data, serve.rows)).every((v, i) => Object.is(v, expected[i]));

  it("reads native LightGBM text: header, features, trees, parameters", () => {
    expect(intact.info.version).toBe("v4");
    expect(intact.info.objective).toMatchObject({ name: "huber", transform: "identity" });
    expect(intact.numFeatures).toBe(6);
    expect(intact.featureNames).toEqual(["a", "b", "c", "d", "e", "f"]);
    expect(intact.info.featureInfos[0]).toMatchObject({ kind: "numerical" });
    expect(intact.info.numTrees).toBe(60);
    expect(intact.info.parameters["num_leaves"]).toBe("15");
    expect(intact.info.parameters["objective"]).toBe("huber");
  });

  // A cut that removes only whole lines of the informational trailer (feature importances, parameters)
  // cannot always be told from a text that never had them; such a text holds every tree and must
  // predict exactly like the intact one. (The artifact's sha256 catches those cuts: see sha256.test.ts.)
  it("refuses the text cut short anywhere up to the end of its trees; any cut text it accepts predicts like the intact one", () => {
    const endOfTrees = TEXT.indexOf("end of trees");
    const positions = new Set<number>();
    for (let i = 0; i < 4000; i++) positions.add(i); // header and first trees, every character
    for (let i = TEXT.indexOf("\n"); i >= 0; i = TEXT.indexOf("\n", i + 1))
      positions
        .add(i)
        .add(i + 1)
        .add(i - 1); // around every line break
    const r = rng(9);
    for (let i = 0; i < 500; i++) positions.add(Math.floor(r() * TEXT.length));
    let refused = 0;
    for (const p of positions) {
      if (p <= 0 || p >= TEXT.length) continue;
      const cut = TEXT.slice(0, p);
      let model: Model | undefined;
      try {
        model = parseModel(cut);
      } catch (e) {
        if (!(e instanceof ModelTextError)) throw new Error(`cut at ${p}: ${String(e)}`);
        refused++;
      }
      if (model) {
        if (p < endOfTrees + "end of trees".length) {
          throw new Error(`a text cut at ${p} of ${TEXT.length} (end of trees at ${endOfTrees}) was accepted`);
        }
        expect(samePredictions(model)).toBe(true);
      }
    }
    // Every cut before the end of the trees was refused (checked above, cut by cut); there were many.
    expect(refused).toBeGreaterThan(5000);
  });

  it("names the problem: not a model, version, missing and unknown fields", () => {
    expectRefused("", "not-a-model", /empty/);
    expectRefused('{"trees": []}', "not-a-model", /expected the line "tree"/);
    expectRefused(TEXT.replace("version=v4", "version=v3"), "version", /version "v3" is not supported/);
    expectRefused(TEXT.replace("version=v4\n", ""), "missing-field", /no version line/);
    expectRefused(TEXT.replace(/^num_class=.*\n/m, ""), "missing-field", /no num_class line/);
    expectRefused(TEXT.replace(/^max_feature_idx=.*\n/m, ""), "missing-field", /no max_feature_idx line/);
    expectRefused(TEXT.replace(/^feature_infos=.*\n/m, ""), "missing-field", /no feature_infos line/);
    expectRefused(TEXT.replace("version=v4\n", "version=v4\nboost_from_average=1\n"), "unknown-field", /unknown header line "boost_from_average=1"/);
    expectRefused(TEXT.replace("objective=huber", "objective=wizardry"), "unsupported", /unknown objective "wizardry"/);
    expectRefused(inTree(TEXT, 2, "leaf_value=", "leaf_valve="), "unknown-field", /Tree=2: unknown tree field "leaf_valve"/);
    expectRefused(TEXT.replace(/\n/g, "\r\n"), "not-a-model", /carriage returns/);
  });

  it("refuses damaged numbers", () => {
    expectRefused(
      editTreeLine(TEXT, 3, "leaf_value", (v) => ["1.5x", ...v.slice(1)]),
      "bad-number",
      /Tree=3 leaf_value: value 0 "1.5x" is not a number/,
    );
    expectRefused(
      editTreeLine(TEXT, 3, "threshold", (v) => [...v.slice(0, 2), "1.2.3", ...v.slice(3)]),
      "bad-number",
      /Tree=3 threshold: value 2/,
    );
    expectRefused(
      editTreeLine(TEXT, 3, "threshold", (v) => ["nan", ...v.slice(1)]),
      "bad-number",
      /threshold NaN/,
    );
    expectRefused(
      editTreeLine(TEXT, 3, "threshold", (v) => ["0x1p3", ...v.slice(1)]),
      "bad-number",
      /"0x1p3" is not a number/,
    );
    expectRefused(
      editTreeLine(TEXT, 4, "left_child", (v) => ["1.5", ...v.slice(1)]),
      "bad-number",
      /Tree=4 left_child: value 0 "1.5" is not an integer/,
    );
    expectRefused(
      editTreeLine(TEXT, 4, "split_feature", (v) => ["9", ...v.slice(1)]),
      "inconsistent",
      /Tree=4 split_feature: value 0 is 9, outside \[0, 5\]/,
    );
    expectRefused(
      editTreeLine(TEXT, 4, "decision_type", (v) => ["12", ...v.slice(1)]),
      "inconsistent",
      /missing type 3 does not exist/,
    );
    expectRefused(
      editTreeLine(TEXT, 4, "decision_type", (v) => ["1", ...v.slice(1)]),
      "inconsistent",
      /categorical split but num_cat is 0/,
    );
    expectRefused(TEXT.replace(/^num_class=1$/m, "num_class=one"), "bad-number", /header num_class: "one" is not an integer/);
  });

  it("refuses arrays of the wrong length and tree_sizes that do not match", () => {
    expectRefused(
      editTreeLine(TEXT, 5, "leaf_value", (v) => v.slice(1)),
      "length-mismatch",
      /Tree=5 leaf_value: 14 values, expected 15/,
    );
    expectRefused(
      editTreeLine(TEXT, 5, "threshold", (v) => [...v, "1"]),
      "length-mismatch",
      /Tree=5 threshold: 15 values, expected 14/,
    );
    expectRefused(
      editTreeLine(TEXT, 5, "internal_count", (v) => v.slice(2)),
      "length-mismatch",
      /Tree=5 internal_count: 12 values, expected 14/,
    );
    expectRefused(TEXT.replace(/^feature_names=.*$/m, "feature_names=a b c d e"), "length-mismatch", /5 names, expected max_feature_idx \+ 1 = 6/);
    // A tree edited without fixing tree_sizes.
    expectRefused(inTree(TEXT, 7, "shrinkage=0.1", "shrinkage=0.10"), "length-mismatch", /tree_sizes does not match the text/);
    const sizes = (edit: (s: string[]) => string[]) => TEXT.replace(/^tree_sizes=(.*)$/m, (_, s: string) => `tree_sizes=${edit(s.split(" ")).join(" ")}`);
    expectRefused(
      sizes((s) => s.slice(0, -1)),
      "length-mismatch",
      /more trees than tree_sizes lists/,
    );
    expectRefused(
      sizes((s) => [...s, "2000"]),
      "length-mismatch",
      /expected "Tree=60"/,
    );
    expectRefused(
      sizes((s) => [String(Number(s[0]) + 1), ...s.slice(1)]),
      "length-mismatch",
      /Tree=0|Tree=1/,
    );
  });

  it("refuses child links that do not form a tree, and inconsistent models", () => {
    expectRefused(
      editTreeLine(TEXT, 6, "left_child", (v) => [v[0]!, "0", ...v.slice(2)]),
      "structure",
      /Tree=6/,
    );
    expectRefused(
      editTreeLine(TEXT, 6, "right_child", (v) => v.map(() => "-1")),
      "structure",
      /leaf 0 is reached twice/,
    );
    expectRefused(
      editTreeLine(TEXT, 6, "right_child", (v) => ["20", ...v.slice(1)]),
      "inconsistent",
      /right_child: value 0 is 20, outside \[-15, 13\]/,
    );
    expectRefused(TEXT.replace("objective=huber", "objective=multiclass num_class:3"), "inconsistent", /has 3 classes but num_class=1/);
    expectRefused(TEXT.replace("num_tree_per_iteration=1", "num_tree_per_iteration=7"), "inconsistent", /gives one value per row but num_tree_per_iteration=7/);
    expectRefused(inTree(TEXT, 1, "num_leaves=", "num_leaves=x"), "length-mismatch", /tree_sizes/);
  });

  it("refuses damage in hand-made text without tree_sizes too", () => {
    const tree: TreeSpec = { splitFeature: [0], threshold: [0.5], decisionType: [2], leftChild: [-1], rightChild: [-2], leafValue: [1, 2] };
    const ok = buildModelText({ numFeatures: 1, trees: [tree, tree], treeSizes: false });
    expect(parseModel(ok).predict([0])).toBe(2);
    expectRefused(ok.replace("Tree=1", "Tree=2"), "inconsistent", /expected "Tree=1", found "Tree=2"/);
    expectRefused(ok.replace("leaf_value=1 2\n", "leaf_value=1 2\ncolour=blue\n"), "unknown-field", /unknown tree field "colour"/);
    expectRefused(ok.replace("num_cat=0\n", ""), "missing-field", /Tree=0: no num_cat line/);
    expectRefused(ok.replace("leaf_value=1 2\n", "leaf_value=1 2\nleaf_value=1 2\n"), "inconsistent", /leaf_value appears twice/);
    expectRefused(ok.replace("is_linear=0", "is_linear=1"), "missing-field", /no leaf_const line/);
    expectRefused(ok.replace("end of trees", "end of tree"), "inconsistent", /expected "end of trees"/);
    expectRefused(ok.replace("\nend of parameters\n", "\n"), "truncated", /before "end of parameters"/);
    expectRefused(`${ok}\npandas_categorical:[["a", "b"`, "truncated", /not valid JSON/);
    expect(parseModel(`${ok}\npandas_categorical:null\n`).info.pandasCategorical).toBe("null");
    const cat: TreeSpec = { ...tree, decisionType: [1], threshold: [1], catBoundaries: [0, 1], catThreshold: [5] };
    expectRefused(buildModelText({ numFeatures: 1, trees: [cat] }), "inconsistent", /categorical node 0 has threshold 1, expected a bitset index in \[0, 1\)/);
    const cyclic: TreeSpec = {
      splitFeature: [0, 0, 0],
      threshold: [1, 2, 3],
      decisionType: [2, 2, 2],
      leftChild: [-1, 2, 1],
      rightChild: [-2, -3, -4],
      leafValue: [1, 2, 3, 4],
    };
    expectRefused(buildModelText({ numFeatures: 1, trees: [cyclic] }), "structure", /only 1 of 3 internal nodes and 2 of 4 leaves are reachable/);
    const multi = buildModelText({ numFeatures: 1, objective: "multiclass num_class:2", numClass: 2, trees: [tree, tree, tree] });
    expectRefused(multi, "inconsistent", /3 trees is not a whole number of iterations of 2 trees/);
  });
});
