// Splits LightGBM model text (format v4, as LightGBM 4.x's SaveModelToString and Python's
// Booster.model_to_string write it) into its sections: the header fields, one block of fields per
// tree, and the trailing parameters. Checks the layout strictly; numbers are read in tree-text.ts.
import { ModelTextError } from "./errors.ts";
import { parseInteger } from "./number-text.ts";

export interface ModelTextSections {
  /** Header fields in file order (average_output has the value ""). */
  readonly header: ReadonlyMap<string, string>;
  /** Each tree's fields, in tree order. */
  readonly trees: readonly ReadonlyMap<string, string>[];
  /** The "parameters:" section as key -> value ("[num_leaves: 31]" -> num_leaves = "31"); empty if absent. */
  readonly parameters: Readonly<Record<string, string>>;
  /** Python's "pandas_categorical:" line (JSON), if present. */
  readonly pandasCategorical: string | undefined;
}

/** The header fields LightGBM 4.x writes (LoadModelFromString reads these; anything else is refused). */
const HEADER_FIELDS = new Set([
  "version",
  "num_class",
  "num_tree_per_iteration",
  "label_index",
  "max_feature_idx",
  "objective",
  "average_output",
  "feature_names",
  "monotone_constraints",
  "feature_infos",
  "tree_sizes",
]);

/** The fields of a tree block (Tree::ToString); anything else is refused. */
export const TREE_FIELDS = new Set([
  "num_leaves",
  "num_cat",
  "split_feature",
  "split_gain",
  "threshold",
  "decision_type",
  "left_child",
  "right_child",
  "leaf_value",
  "leaf_weight",
  "leaf_count",
  "internal_value",
  "internal_weight",
  "internal_count",
  "cat_boundaries",
  "cat_threshold",
  "is_linear",
  "shrinkage",
  "leaf_const",
  "num_features",
  "leaf_features",
  "leaf_coeff",
]);

const SUPPORTED_VERSION = "v4";
const END_OF_TREES = "end of trees";

export function splitModelText(text: string): ModelTextSections {
  if (typeof text !== "string" || text.trim() === "") throw new ModelTextError("not-a-model", "start", "the model text is empty");
  if (text.includes("\r")) {
    throw new ModelTextError(
      "not-a-model",
      "start",
      "the text has carriage returns (CRLF line endings?); LightGBM writes \\n only, and tree_sizes count bytes",
    );
  }
  let pos = 0;
  /** The next line (without its \n) and advances; undefined at the end of the text. */
  const nextLine = (): string | undefined => {
    if (pos >= text.length) return undefined;
    const nl = text.indexOf("\n", pos);
    const line = nl < 0 ? text.slice(pos) : text.slice(pos, nl);
    pos = nl < 0 ? text.length : nl + 1;
    return line;
  };

  // ---- header ----
  let first = nextLine();
  while (first !== undefined && first === "") first = nextLine();
  if (first !== "tree") {
    throw new ModelTextError("not-a-model", "line 1", `expected the line "tree" that starts LightGBM model text, found ${quote(first ?? "")}`);
  }
  const header = new Map<string, string>();
  let headerEnd = pos;
  for (;;) {
    const lineStart = pos;
    const line = nextLine();
    if (line === undefined) throw new ModelTextError("truncated", "header", `the text ends inside the header (no trees and no "${END_OF_TREES}")`);
    if (line === "") continue;
    if (line.startsWith("Tree=") || line === END_OF_TREES) {
      pos = lineStart;
      headerEnd = lineStart;
      break;
    }
    const eq = line.indexOf("=");
    const key = eq < 0 ? line : line.slice(0, eq);
    const value = eq < 0 ? "" : line.slice(eq + 1);
    if (!HEADER_FIELDS.has(key)) throw new ModelTextError("unknown-field", "header", `unknown header line ${quote(line)}`);
    if (header.has(key)) throw new ModelTextError("inconsistent", "header", `${key} appears twice`);
    if (key !== "feature_names" && key !== "monotone_constraints" && value.includes("=")) {
      throw new ModelTextError("not-a-model", "header", `malformed header line ${quote(line)}`);
    }
    header.set(key, value);
  }
  const version = header.get("version");
  if (version === undefined) throw new ModelTextError("missing-field", "header", "no version line");
  if (version !== SUPPORTED_VERSION) {
    throw new ModelTextError(
      "version",
      "header",
      `model format version ${quote(version)} is not supported (this predictor reads ${SUPPORTED_VERSION}, as LightGBM 4.x writes)`,
    );
  }

  // ---- trees ----
  const trees: Map<string, string>[] = [];
  const treeSizes = header.get("tree_sizes");
  if (treeSizes !== undefined) {
    // As LightGBM does: tree i is the tree_sizes[i] characters after tree i-1, starting at the first "Tree=".
    const sizes = treeSizes
      .split(" ")
      .filter(Boolean)
      .map((s) => {
        const n = parseInteger(s);
        if (n === undefined || n <= 0) throw new ModelTextError("bad-number", "header tree_sizes", `${quote(s)} is not a positive integer`);
        return n;
      });
    let off = headerEnd;
    sizes.forEach((size, i) => {
      if (off + size > text.length) {
        throw new ModelTextError(
          "truncated",
          `Tree=${i}`,
          `tree_sizes says tree ${i} has ${size} characters but the text ends ${text.length - off} characters after its start`,
        );
      }
      const block = text.slice(off, off + size);
      const head = `Tree=${i}\n`;
      if (!block.startsWith(head)) {
        throw new ModelTextError(
          "length-mismatch",
          `Tree=${i}`,
          `tree_sizes does not match the text: expected "Tree=${i}" at this offset, found ${quote(block.slice(0, 24))}`,
        );
      }
      const body = block.slice(head.length);
      const blank = body.indexOf("\n\n");
      if (blank < 0 || body.slice(blank).replace(/\n/g, "") !== "") {
        throw new ModelTextError(
          "length-mismatch",
          `Tree=${i}`,
          `tree_sizes does not match the text: tree ${i}'s ${size} characters do not end with a blank line`,
        );
      }
      trees.push(treeFields(body.slice(0, blank), i));
      off += size;
    });
    pos = off;
  } else {
    // No tree_sizes (hand-made or very old text): trees follow one another, each ended by a blank line.
    for (;;) {
      const lineStart = pos;
      const line = nextLine();
      if (line === undefined) break;
      if (line === "") continue;
      if (!line.startsWith("Tree=")) {
        pos = lineStart;
        break;
      }
      const i = trees.length;
      if (line !== `Tree=${i}`) throw new ModelTextError("inconsistent", `Tree=${i}`, `expected "Tree=${i}", found ${quote(line)}`);
      const bodyStart = pos;
      const blank = text.indexOf("\n\n", bodyStart);
      const bodyEnd = blank < 0 ? text.length : blank;
      trees.push(treeFields(text.slice(bodyStart, bodyEnd), i));
      pos = Math.min(text.length, bodyEnd + 1);
    }
  }
  let after = nextLine();
  while (after === "") after = nextLine();
  if (after !== END_OF_TREES) {
    if (after === undefined) throw new ModelTextError("truncated", `after Tree=${trees.length - 1}`, `the text ends before "${END_OF_TREES}"`);
    throw new ModelTextError(
      treeSizes !== undefined && after.startsWith("Tree=") ? "length-mismatch" : "inconsistent",
      `after Tree=${trees.length - 1}`,
      `expected "${END_OF_TREES}", found ${quote(after)}${treeSizes !== undefined && after.startsWith("Tree=") ? " (more trees than tree_sizes lists)" : ""}`,
    );
  }

  // ---- trailer: feature importances, parameters, pandas_categorical (informational) ----
  // A section that is opened must be closed, and Python's pandas_categorical must be whole JSON, so
  // that a text cut short anywhere before its last line is refused rather than read as complete.
  const parameters: Record<string, string> = {};
  let pandasCategorical: string | undefined;
  let open: "parameters" | "parser" | undefined;
  let inImportances = false;
  for (let line = nextLine(); line !== undefined; line = nextLine()) {
    if (open === undefined && line === "feature_importances:") inImportances = true;
    else if (inImportances) {
      if (line === "") inImportances = false;
      else if (!/^[^=]+=\d+$/.test(line)) throw new ModelTextError("truncated", "feature_importances", `malformed line ${quote(line)}`);
    } else if (open === undefined && line === "parameters:") open = "parameters";
    else if (open === undefined && line === "parser:") open = "parser";
    else if (open !== undefined && line === `end of ${open}`) open = undefined;
    else if (open === "parameters") {
      const m = /^\[([^:\]]+): ?(.*)\]$/.exec(line);
      if (m) parameters[m[1]!] = m[2]!;
    } else if (open === undefined && line.startsWith("pandas_categorical:")) {
      pandasCategorical = line.slice("pandas_categorical:".length);
      try {
        JSON.parse(pandasCategorical);
      } catch {
        throw new ModelTextError("truncated", "pandas_categorical", `the line is not valid JSON: ${quote(pandasCategorical)}`);
      }
    }
  }
  if (open !== undefined) throw new ModelTextError("truncated", `${open} section`, `the text ends before "end of ${open}"`);
  return { header, trees, parameters, pandasCategorical };
}

function treeFields(body: string, index: number): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of body.split("\n")) {
    const eq = line.indexOf("=");
    if (eq <= 0) throw new ModelTextError("not-a-model", `Tree=${index}`, `malformed line ${quote(line)}`);
    const key = line.slice(0, eq);
    if (!TREE_FIELDS.has(key)) throw new ModelTextError("unknown-field", `Tree=${index}`, `unknown tree field ${quote(key)}`);
    if (fields.has(key)) throw new ModelTextError("inconsistent", `Tree=${index}`, `${key} appears twice`);
    fields.set(key, line.slice(eq + 1));
  }
  return fields;
}

function quote(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);
}
