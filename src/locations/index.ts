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
