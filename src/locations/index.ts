export { KMA_GRID, GridRangeError, gridToLatLon, isOnGrid, latLonToGrid, projectToGrid } from "./kma-grid.ts";
export type { GridPoint, LatLon } from "./kma-grid.ts";
export {
  DEFAULT_LOCATION_ID,
  DEFAULT_LOCATIONS,
  LOCATION_ID_PATTERN,
  LocationError,
  SEOUL,
  addLocation,
  createLocation,
  getLocation,
  locationInputSchema,
} from "./locations.ts";
export type { Location, LocationInput } from "./locations.ts";
export { ASOS_STATIONS, findStation, haversineKm, nearest, nearestStation, stationById, stationByNumber, stationLocation } from "./asos-catalog.ts";
export type { AsosStation } from "./asos-catalog.ts";
export { MAX_CONFIGURED_LOCATIONS, locationsFromConfig, locationsFromText } from "./configured.ts";
export { LocationLookupError, MAX_LOCATIONS_PER_REQUEST, closeMatches, resolveLocationIds, resolvePoints } from "./lookup.ts";
export type { ResolvedPoint } from "./lookup.ts";
