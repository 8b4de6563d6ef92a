// The shape of one lead feature: a value for the row issued at hour t for lead h (lead-features.ts
// holds the catalogue; pooled-features.ts adds the station descriptors).
import type { FeatureContext } from "./features.ts";
import type { HourlyGrid } from "./series-grid.ts";

export interface LeadFeatureDef {
  name: string;
  description: string;
  /** Value for the row issued at grid index i (hour t) for lead h hours. */
  compute(g: HourlyGrid, i: number, h: number, ctx: FeatureContext): number;
}
