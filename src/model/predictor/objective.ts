// The "objective=" line of a LightGBM model and the output transform it implies: how LightGBM turns
// raw scores into predictions (ObjectiveFunction::ConvertOutput), reproduced bit for bit.
import { ModelTextError } from "./errors.ts";
import { muslExp, muslLog1p } from "./musl-exp.ts";
import { lightgbmAtof, parseInteger } from "./number-text.ts";

/** How raw scores become predictions. */
export type OutputTransform =
  /** identity: regression, regression_l1, huber, fair, quantile, mape, lambdarank, rank_xendcg, custom / none */
  | "identity"
  /** sign(x)*x*x: regression objectives trained with reg_sqrt */
  | "square"
  /** exp(x): poisson, gamma, tweedie */
  | "exp"
  /** 1/(1+exp(-sigmoid*x)): binary */
  | "sigmoid"
  /** 1/(1+exp(-x)): cross_entropy */
  | "logistic"
  /** log1p(exp(x)): cross_entropy_lambda */
  | "log1p-exp"
  /** softmax over the classes: multiclass */
  | "softmax"
  /** per-class 1/(1+exp(-sigmoid*x)): multiclassova */
  | "sigmoid-per-class";

export interface ObjectiveInfo {
  /** The objective line as written, e.g. "binary sigmoid:1", or "" when the model has none. */
  readonly text: string;
  /** LightGBM's objective name ("regression", "binary", ...), "custom", or "none" when absent. */
  readonly name: string;
  readonly transform: OutputTransform;
  /** For binary / multiclassova: the sigmoid parameter. */
  readonly sigmoid?: number;
  /** For multiclass / multiclassova: the number of classes the objective declares. */
  readonly numClass?: number;
}

const SQRT_CAPABLE = new Set(["regression", "regression_l1", "quantile", "fair", "mape"]);
const IDENTITY = new Set(["regression", "regression_l1", "quantile", "huber", "fair", "mape", "lambdarank", "rank_xendcg"]);
const EXP = new Set(["poisson", "gamma", "tweedie"]);

/** Parses the objective line (undefined when the model has none) as LightGBM's CreateObjectiveFunction does. */
export function parseObjective(text: string | undefined): ObjectiveInfo {
  if (text === undefined) return { text: "", name: "none", transform: "identity" };
  const where = "header objective";
  const tokens = text.split(" ").filter(Boolean);
  const name = tokens[0];
  if (name === undefined) throw new ModelTextError("missing-field", where, "the objective line is empty");
  const kv = new Map<string, string>();
  for (const t of tokens.slice(1)) {
    const parts = t.split(":").filter(Boolean);
    if (parts.length === 2) kv.set(parts[0]!, parts[1]!);
  }
  const sigmoidParam = (): number => {
    const raw = kv.get("sigmoid");
    if (raw === undefined) throw new ModelTextError("missing-field", where, `"${text}" has no sigmoid:<value>`);
    const v = lightgbmAtof(raw);
    if (v === undefined || !(v > 0)) throw new ModelTextError("bad-number", where, `sigmoid "${raw}" is not a number > 0`);
    return v;
  };
  const numClassParam = (): number => {
    const raw = kv.get("num_class");
    if (raw === undefined) throw new ModelTextError("missing-field", where, `"${text}" has no num_class:<value>`);
    const v = parseInteger(raw);
    if (v === undefined || v < 1) throw new ModelTextError("bad-number", where, `num_class "${raw}" is not a positive integer`);
    return v;
  };
  if (name === "custom") return { text, name, transform: "identity" };
  if (IDENTITY.has(name)) {
    const sqrt = SQRT_CAPABLE.has(name) && tokens.includes("sqrt");
    return { text, name, transform: sqrt ? "square" : "identity" };
  }
  if (EXP.has(name)) return { text, name, transform: "exp" };
  if (name === "binary") return { text, name, transform: "sigmoid", sigmoid: sigmoidParam() };
  if (name === "cross_entropy") return { text, name, transform: "logistic" };
  if (name === "cross_entropy_lambda") return { text, name, transform: "log1p-exp" };
  if (name === "multiclass") return { text, name, transform: "softmax", numClass: numClassParam() };
  if (name === "multiclassova") return { text, name, transform: "sigmoid-per-class", numClass: numClassParam(), sigmoid: sigmoidParam() };
  throw new ModelTextError("unsupported", where, `unknown objective "${name}"`);
}

/**
 * Applies the transform in place to out[offset .. offset+k), exactly as LightGBM's ConvertOutput.
 * (For the single-output transforms only out[offset] is touched, as in LightGBM.)
 */
export function convertOutput(transform: OutputTransform, sigmoid: number, out: Float64Array, offset: number, k: number): void {
  switch (transform) {
    case "identity":
      return;
    case "square": {
      const x = out[offset]!;
      const sign = (x > 0 ? 1 : 0) - (x < 0 ? 1 : 0);
      out[offset] = sign * x * x;
      return;
    }
    case "exp":
      out[offset] = muslExp(out[offset]!);
      return;
    case "sigmoid":
      out[offset] = 1.0 / (1.0 + muslExp(-sigmoid * out[offset]!));
      return;
    case "logistic":
      out[offset] = 1.0 / (1.0 + muslExp(-out[offset]!));
      return;
    case "log1p-exp":
      out[offset] = muslLog1p(muslExp(out[offset]!));
      return;
    case "softmax": {
      // Common::Softmax: wmax = std::max(input[i], wmax), i.e. (input[i] < wmax) ? wmax : input[i].
      let wmax = out[offset]!;
      for (let i = 1; i < k; i++) {
        const v = out[offset + i]!;
        // biome-ignore lint/complexity/useMathMinMax: Math.max differs on NaN; this is std::max's exact comparison.
        wmax = v < wmax ? wmax : v;
      }
      let wsum = 0.0;
      for (let i = 0; i < k; i++) {
        const e = muslExp(out[offset + i]! - wmax);
        out[offset + i] = e;
        wsum += e;
      }
      for (let i = 0; i < k; i++) out[offset + i] = out[offset + i]! / wsum;
      return;
    }
    case "sigmoid-per-class":
      for (let i = 0; i < k; i++) out[offset + i] = 1.0 / (1.0 + muslExp(-sigmoid * out[offset + i]!));
      return;
  }
}
