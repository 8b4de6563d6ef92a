import type { Climatology } from "./baselines.ts";
import type { LeadFeatureDef } from "./lead-feature-def.ts";

export { stationDescriptorsSchema, type StationDescriptors } from "./station-descriptors.ts";

const orNaN = (x: number | null | undefined) => (typeof x === "number" && Number.isFinite(x) ? x : Number.NaN);

export const STATION_FEATURES: readonly LeadFeatureDef[] = [
  { name: "stn_lat", description: "station latitude, degrees north (pooled sets)", compute: (_g, _i, _h, ctx) => orNaN(ctx.station?.lat) },
  { name: "stn_lon", description: "station longitude, degrees east (pooled sets)", compute: (_g, _i, _h, ctx) => orNaN(ctx.station?.lon) },
  { name: "stn_alt", description: "station altitude, m (pooled sets)", compute: (_g, _i, _h, ctx) => orNaN(ctx.station?.altitude) },
  {
    name: "stn_clim_mean",
    description: "annual mean of the station's climatology, °C (pooled sets)",
    compute: (_g, _i, _h, ctx) => orNaN(ctx.station?.climMean),
  },
  {
    name: "stn_clim_amp",
    description: "annual amplitude of the station's climatology, °C (pooled sets)",
    compute: (_g, _i, _h, ctx) => orNaN(ctx.station?.climAmplitude),
  },
];

export const STATION_FEATURE_NAMES = STATION_FEATURES.map((f) => f.name);

/** Annual mean and amplitude of a harmonic climatology (its intercept and the size of its annual cos/sin pair; 0 without annual terms). */
export function climatologySummary(c: Climatology): { mean: number; amplitude: number } {
  return { mean: c.coefficients[0]!, amplitude: c.annual ? Math.hypot(c.coefficients[5]!, c.coefficients[6]!) : 0 };
}
