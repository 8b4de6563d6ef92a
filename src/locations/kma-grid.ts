// KMA 5 km forecast grid (동네예보 격자): Lambert conformal conic projection between WGS84 lat/lon and
// the integer grid point (nx, ny) that VilageFcstInfoService_2.0 takes. Constants and formulas are
// those of KMA's reference conversion (단기예보 조회서비스 활용가이드, "격자 <-> 위경도 변환"):
// Earth radius 6371.00877 km, 5 km cells, standard parallels 30N and 60N, origin 38N 126E at grid
// point (43, 136), grid 149 x 253 points numbered from 1.

export const KMA_GRID = {
  earthRadiusKm: 6371.00877,
  gridKm: 5.0,
  standardParallel1: 30.0,
  standardParallel2: 60.0,
  originLon: 126.0,
  originLat: 38.0,
  originX: 43,
  originY: 136,
  nxMax: 149,
  nyMax: 253,
} as const;

export interface GridPoint {
  nx: number;
  ny: number;
}

export interface LatLon {
  lat: number;
  lon: number;
}

const DEG = Math.PI / 180;

// Projection parameters, computed once (same steps as KMA's lamcproj).
const re = KMA_GRID.earthRadiusKm / KMA_GRID.gridKm;
const slat1 = KMA_GRID.standardParallel1 * DEG;
const slat2 = KMA_GRID.standardParallel2 * DEG;
const olon = KMA_GRID.originLon * DEG;
const olat = KMA_GRID.originLat * DEG;
const sn = Math.log(Math.cos(slat1) / Math.cos(slat2)) / Math.log(Math.tan(Math.PI * 0.25 + slat2 * 0.5) / Math.tan(Math.PI * 0.25 + slat1 * 0.5));
const sf = (Math.tan(Math.PI * 0.25 + slat1 * 0.5) ** sn * Math.cos(slat1)) / sn;
const ro = (re * sf) / Math.tan(Math.PI * 0.25 + olat * 0.5) ** sn;

/** The continuous (unrounded) grid coordinates of a lat/lon; the grid point is these rounded half up. */
export function projectToGrid(lat: number, lon: number): { x: number; y: number } {
  const ra = (re * sf) / Math.tan(Math.PI * 0.25 + lat * DEG * 0.5) ** sn;
  let theta = lon * DEG - olon;
  if (theta > Math.PI) theta -= 2 * Math.PI;
  if (theta < -Math.PI) theta += 2 * Math.PI;
  theta *= sn;
  return { x: ra * Math.sin(theta) + KMA_GRID.originX, y: ro - ra * Math.cos(theta) + KMA_GRID.originY };
}

/** True when (nx, ny) is a point of the 149 x 253 KMA grid. */
export function isOnGrid(nx: number, ny: number): boolean {
  return Number.isInteger(nx) && Number.isInteger(ny) && nx >= 1 && nx <= KMA_GRID.nxMax && ny >= 1 && ny <= KMA_GRID.nyMax;
}

export class GridRangeError extends Error {
  override name = "GridRangeError";
}

/**
 * The KMA grid point nearest to a WGS84 lat/lon (KMA rounds half up: floor(v + 0.5)).
 * Throws GridRangeError for non-finite input or a point that falls outside the 149 x 253 grid.
 */
export function latLonToGrid(lat: number, lon: number): GridPoint {
  if (!Number.isFinite(lat) || !Number.isFinite(lon) || lat < -90 || lat > 90 || lon < -180 || lon > 180) {
    throw new GridRangeError(`invalid coordinates lat=${lat} lon=${lon}: need -90..90 and -180..180 degrees`);
  }
  const { x, y } = projectToGrid(lat, lon);
  const nx = Math.floor(x + 0.5);
  const ny = Math.floor(y + 0.5);
  if (!isOnGrid(nx, ny)) {
    throw new GridRangeError(
      `lat=${lat} lon=${lon} is outside the KMA forecast grid (maps to nx=${nx} ny=${ny}; the grid is nx 1..${KMA_GRID.nxMax}, ny 1..${KMA_GRID.nyMax})`,
    );
  }
  return { nx, ny };
}

/** The WGS84 lat/lon of the centre of grid point (nx, ny) (KMA's inverse conversion). */
export function gridToLatLon(nx: number, ny: number): LatLon {
  if (!isOnGrid(nx, ny)) {
    throw new GridRangeError(`grid point nx=${nx} ny=${ny} is not on the KMA grid (integers nx 1..${KMA_GRID.nxMax}, ny 1..${KMA_GRID.nyMax})`);
  }
  const xn = nx - KMA_GRID.originX;
  const yn = ro - ny + KMA_GRID.originY;
  let ra = Math.sqrt(xn * xn + yn * yn);
  if (sn < 0) ra = -ra;
  const alat = 2 * Math.atan(((re * sf) / ra) ** (1 / sn)) - Math.PI * 0.5;
  let theta: number;
  if (Math.abs(xn) <= 0) theta = 0;
  else if (Math.abs(yn) <= 0) theta = xn < 0 ? -Math.PI * 0.5 : Math.PI * 0.5;
  else theta = Math.atan2(xn, yn);
  const alon = theta / sn + olon;
  return { lat: alat / DEG, lon: alon / DEG };
}
