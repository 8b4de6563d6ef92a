// The header's feature_infos: what LightGBM saw of each feature when it binned the training data.
import { ModelTextError } from "./errors.ts";
import { parseDouble, parseInteger } from "./number-text.ts";

export type FeatureInfo =
  /** A numerical feature and the range of values seen in training. */
  | { readonly kind: "numerical"; readonly min: number; readonly max: number }
  /** A categorical feature and the category codes seen in training (LightGBM's order). */
  | { readonly kind: "categorical"; readonly categories: readonly number[] }
  /** A feature LightGBM dropped (constant, or all missing, in the training data). */
  | { readonly kind: "unused" };

export function parseFeatureInfo(token: string, index: number): FeatureInfo {
  const where = `header feature_infos[${index}]`;
  if (token === "none") return { kind: "unused" };
  const range = /^\[([^:]+):([^:\]]+)\]$/.exec(token);
  if (range) {
    const min = parseDouble(range[1]!);
    const max = parseDouble(range[2]!);
    if (min === undefined || max === undefined) throw new ModelTextError("bad-number", where, `${JSON.stringify(token)} is not [min:max]`);
    return { kind: "numerical", min, max };
  }
  const categories = token.split(":").map((c) => parseInteger(c));
  if (categories.some((c) => c === undefined)) {
    throw new ModelTextError("bad-number", where, `${JSON.stringify(token)} is neither "none", [min:max] nor category codes a:b:c`);
  }
  return { kind: "categorical", categories: categories as number[] };
}
