// Which base_date/base_time to ask VilageFcstInfoService_2.0 for at a given UTC instant, from KMA's
// publication schedule (KST):
//   getVilageFcst   base 0200, 0500, ..., 2300 (every 3 h), available ~10 min later
//                   (so before 02:10 KST the latest is the previous day's 2300);
//   getUltraSrtNcst base HH00 every hour, available ~HH:10;
//   getUltraSrtFcst base HH30 every hour, available ~HH:45.
// All pure: pass the instant; the lag is an option for callers that want a safety margin.
import { KST_OFFSET_MS, formatKstDate, formatKstTime, kstToUtc } from "../time/kst.ts";

export type ForecastProduct = "ultraSrtNcst" | "ultraSrtFcst" | "vilageFcst";

export interface BaseDateTime {
  /** KST 'YYYYMMDD' as sent in base_date. */
  baseDate: string;
  /** KST 'HHmm' as sent in base_time. */
  baseTime: string;
  /** The same moment as a UTC instant. */
  issuedAt: Date;
}

interface Schedule {
  /** Issues repeat every periodMs ... */
  periodMs: number;
  /** ... at this offset from KST midnight (24 h is a multiple of every period). */
  phaseMs: number;
  /** Default minutes after base time at which the issue can be fetched. */
  availableAfterMinutes: number;
}

const H = 3_600_000;
const M = 60_000;

export const SCHEDULES: Readonly<Record<ForecastProduct, Readonly<Schedule>>> = {
  vilageFcst: { periodMs: 3 * H, phaseMs: 2 * H, availableAfterMinutes: 10 },
  ultraSrtNcst: { periodMs: H, phaseMs: 0, availableAfterMinutes: 10 },
  ultraSrtFcst: { periodMs: H, phaseMs: 30 * M, availableAfterMinutes: 15 },
};

function toBase(issuedMs: number): BaseDateTime {
  const issuedAt = new Date(issuedMs);
  return { baseDate: formatKstDate(issuedAt), baseTime: formatKstTime(issuedAt), issuedAt };
}

/**
 * The newest issue of `product` that is available at UTC instant `at`
 * (available = base time + availableAfterMinutes, inclusive).
 */
export function latestBase(product: ForecastProduct, at: Date, options: { availableAfterMinutes?: number } = {}): BaseDateTime {
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw new RangeError(`invalid date: ${String(at)}`);
  const s = SCHEDULES[product];
  const lag = (options.availableAfterMinutes ?? s.availableAfterMinutes) * M;
  if (!Number.isFinite(lag) || lag < 0) throw new RangeError(`availableAfterMinutes must be >= 0, got ${options.availableAfterMinutes}`);
  // Work on the KST wall clock as if it were UTC: KST midnight is then a multiple of 24 h from the epoch.
  const kstMs = at.getTime() + KST_OFFSET_MS - lag;
  const issuedKstMs = Math.floor((kstMs - s.phaseMs) / s.periodMs) * s.periodMs + s.phaseMs;
  return toBase(issuedKstMs - KST_OFFSET_MS);
}

/** The issue of `product` just before `base` (to fall back when the newest one is late). */
export function previousBase(product: ForecastProduct, base: Pick<BaseDateTime, "baseDate" | "baseTime">): BaseDateTime {
  const at = validateBase(product, base);
  return toBase(at.getTime() - SCHEDULES[product].periodMs);
}

/** The UTC instant of a base date/time, checking that `product` is issued then. Throws RangeError. */
export function validateBase(product: ForecastProduct, base: Pick<BaseDateTime, "baseDate" | "baseTime">): Date {
  const at = kstToUtc(base.baseDate, base.baseTime);
  const s = SCHEDULES[product];
  const offset = (((at.getTime() + KST_OFFSET_MS - s.phaseMs) % s.periodMs) + s.periodMs) % s.periodMs;
  if (offset !== 0) {
    const allowed = product === "vilageFcst" ? "0200, 0500, 0800, 1100, 1400, 1700, 2000, 2300" : product === "ultraSrtNcst" ? "HH00" : "HH30";
    throw new RangeError(`${product} is not issued at base_time ${base.baseTime} (issued at ${allowed} KST)`);
  }
  return at;
}

/**
 * The newest ASOS hour that AsosHourlyInfoService serves at instant `at`: it provides data only up to
 * yesterday (D-1) in KST, so this is yesterday 23:00 KST as a UTC instant.
 */
export function latestAsosHour(at: Date): Date {
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw new RangeError(`invalid date: ${String(at)}`);
  const day = 24 * H;
  const todayKstMidnight = Math.floor((at.getTime() + KST_OFFSET_MS) / day) * day;
  return new Date(todayKstMidnight - H - KST_OFFSET_MS);
}
