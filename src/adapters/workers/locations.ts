// The Worker's configured locations: the LOCATIONS var (wrangler.toml [vars] or the dashboard), JSON
// (a list of station ids and {id, name, lat, lon, station?} points, or {"locations": [...]}) or a
// comma list of station ids (`seoul,busan,jeju`); unset: seoul only (src/locations/configured.ts).
// Parsed once per distinct value per isolate.
import { locationsFromText } from "../../locations/configured.ts";
import type { Location } from "../../locations/locations.ts";

let cached: { text: string | undefined; locations: readonly Location[] } | undefined;

export function workerLocations(env: { LOCATIONS?: string | undefined }): readonly Location[] {
  if (cached?.text !== env.LOCATIONS || cached === undefined) cached = { text: env.LOCATIONS, locations: locationsFromText(env.LOCATIONS, "LOCATIONS") };
  return cached.locations;
}
