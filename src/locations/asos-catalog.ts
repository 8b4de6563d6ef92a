// The built-in catalog of the 96 KMA ASOS stations (data in asos-catalog.generated.ts, rendered by
// scripts/gen-asos-catalog.ts from data/kma/asos-stations.csv) and what is asked of it: a station by
// id or number, the location a station stands for, the nearest station to a point.
import { ASOS_STATIONS } from "./asos-catalog.generated.ts";
import { SEOUL, createLocation } from "./locations.ts";
import type { Location } from "./locations.ts";

export { ASOS_STATIONS, ASOS_STATIONS_SOURCE_SHA256 } from "./asos-catalog.generated.ts";

export interface AsosStation {
  /** Station number (지점번호), e.g. 108 for Seoul; the ASOS API's stnIds. */
  stnId: number;
  /** Romanized id (Revised Romanization; rules in scripts/gen-asos-catalog.ts), e.g. `busan`, `jeju-gosan`. */
  id: string;
  /** Display name: "Busan (부산)". */
  name: string;
  nameKo: string;
  lat: number;
  lon: number;
  altitudeM: number;
  /** The KMA 5 km grid point the station falls in. */
  nx: number;
  ny: number;
}

const BY_ID = new Map(ASOS_STATIONS.map((s) => [s.id, s]));
const BY_NUMBER = new Map(ASOS_STATIONS.map((s) => [s.stnId, s]));

export function stationById(id: string): AsosStation | undefined {
  return BY_ID.get(id);
}

export function stationByNumber(stnId: number): AsosStation | undefined {
  return BY_NUMBER.get(stnId);
}

/** A station by romanized id or by number (`"busan"`, `"159"`, `159`). */
export function findStation(ref: string | number): AsosStation | undefined {
  if (typeof ref === "number") return stationByNumber(ref);
  const t = ref.trim();
  return /^\d+$/.test(t) ? stationByNumber(Number(t)) : stationById(t.toLowerCase());
}

const EARTH_RADIUS_KM = 6371.0088; // mean Earth radius (IUGG)
const RAD = Math.PI / 180;

/** Great-circle distance in km (haversine). */
export function haversineKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const h = Math.sin(((b.lat - a.lat) * RAD) / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(((b.lon - a.lon) * RAD) / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The nearest of `candidates` to a point, with its distance; undefined when there are none. */
export function nearest<T extends { lat: number; lon: number }>(
  point: { lat: number; lon: number },
  candidates: readonly T[],
): { item: T; distanceKm: number } | undefined {
  let best: { item: T; distanceKm: number } | undefined;
  for (const c of candidates) {
    const d = haversineKm(point, c);
    if (best === undefined || d < best.distanceKm) best = { item: c, distanceKm: d };
  }
  return best;
}

/** The catalog station nearest to a point (of all 96, or of `among`). */
export function nearestStation(
  point: { lat: number; lon: number },
  among: readonly AsosStation[] = ASOS_STATIONS,
): { station: AsosStation; distanceKm: number } {
  const n = nearest(point, among);
  if (!n) throw new RangeError("nearestStation: no stations to choose from");
  return { station: n.item, distanceKm: n.distanceKm };
}

/**
 * The forecast location a station stands for: the station's position and grid point, its ASOS number
 * for observations. `seoul` stays the built-in Seoul location (City Hall, grid 60/127, the cell of
 * station 108 too), so the models and data already stored for it keep their meaning.
 */
export function stationLocation(station: AsosStation): Location {
  if (station.id === SEOUL.id) return SEOUL;
  return createLocation({ id: station.id, name: station.name, lat: station.lat, lon: station.lon, asosStationId: station.stnId });
}
