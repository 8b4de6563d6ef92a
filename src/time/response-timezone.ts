// The time zones API answers are written in (GET /v1/forecast?timezone=): times are local wall-clock
// ISO 8601 without an offset ("2025-05-29T23:00"), with utc_offset_seconds saying which clock, as the
// public weather APIs do (Open-Meteo). Korea has one zone and no DST, so a fixed offset is exact.
import { KST_OFFSET_MS } from "./kst.ts";

export const RESPONSE_TIMEZONES = {
  UTC: { offsetSeconds: 0, abbreviation: "UTC" },
  "Asia/Seoul": { offsetSeconds: KST_OFFSET_MS / 1000, abbreviation: "KST" },
} as const;

export type ResponseTimezone = keyof typeof RESPONSE_TIMEZONES;
export const RESPONSE_TIMEZONE_NAMES = Object.keys(RESPONSE_TIMEZONES) as [ResponseTimezone, ...ResponseTimezone[]];

/** `t` (UTC epoch ms) as local "YYYY-MM-DDTHH:MM" at `offsetSeconds` east of UTC. */
export function localIsoMinute(t: number, offsetSeconds: number): string {
  return new Date(t + offsetSeconds * 1000).toISOString().slice(0, 16);
}

/** The inverse: local "YYYY-MM-DDTHH:MM" at the offset -> UTC epoch ms. */
export function parseLocalIsoMinute(text: string, offsetSeconds: number): number {
  return Date.parse(`${text}:00Z`) - offsetSeconds * 1000;
}
