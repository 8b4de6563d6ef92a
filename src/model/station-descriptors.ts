// What a pooled model set knows of each station (its features and the source of its climatology).
// Apart from pooled-features.ts so that features.ts can name the type without an import cycle.
import { z } from "zod";

export const stationDescriptorsSchema = z.object({
  /** Degrees north / east and metres above sea level; null = unknown. */
  lat: z.number().nullable(),
  lon: z.number().nullable(),
  altitude: z.number().nullable(),
  /** Annual mean and amplitude of the climatology the set uses for this station, °C. */
  climMean: z.number(),
  climAmplitude: z.number(),
  /** How that climatology was obtained: fitted on the station's own history, or borrowed from the pool's and shifted to its own mean. */
  climatologySource: z.enum(["own", "pool-shifted"]),
});
export type StationDescriptors = z.infer<typeof stationDescriptorsSchema>;
