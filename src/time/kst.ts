// KMA speaks Korea Standard Time (UTC+9, no daylight saving); nalssi stores UTC and converts at the
// boundaries. This file is the only place the +9 h lives: KST calendar fields and dates of a UTC
// instant, KMA's YYYYMMDD / HHmm, and KMA's local date-times read back into UTC instants (rejecting
// anything that is not a real calendar time). The browser dashboard uses the IANA zone Asia/Seoul.

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** KST = UTC+9, no daylight saving time. */
export const KST_OFFSET_MS = 9 * HOUR_MS;

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

function assertValidDate(at: Date): void {
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw new RangeError(`invalid date: ${String(at)}`);
}

/** KST calendar fields of a UTC instant. */
export function kstParts(at: Date): { year: number; month: number; day: number; hour: number; minute: number } {
  assertValidDate(at);
  const k = new Date(at.getTime() + KST_OFFSET_MS);
  return { year: k.getUTCFullYear(), month: k.getUTCMonth() + 1, day: k.getUTCDate(), hour: k.getUTCHours(), minute: k.getUTCMinutes() };
}

/** 'YYYYMMDD' of the instant in KST. */
export function formatKstDate(at: Date): string {
  const p = kstParts(at);
  return `${pad(p.year, 4)}${pad(p.month)}${pad(p.day)}`;
}

/** 'HHmm' of the instant in KST. */
export function formatKstTime(at: Date): string {
  const p = kstParts(at);
  return `${pad(p.hour)}${pad(p.minute)}`;
}

/** 'HH' of the instant in KST (ASOS startHh/endHh). */
export function formatKstHour(at: Date): string {
  return pad(kstParts(at).hour);
}

function utcFromKstFields(year: number, month: number, day: number, hour: number, minute: number, what: string): Date {
  const ms = Date.UTC(year, month - 1, day, hour, minute) - KST_OFFSET_MS;
  const back = new Date(ms + KST_OFFSET_MS);
  if (
    back.getUTCFullYear() !== year ||
    back.getUTCMonth() !== month - 1 ||
    back.getUTCDate() !== day ||
    back.getUTCHours() !== hour ||
    back.getUTCMinutes() !== minute
  ) {
    throw new RangeError(`not a real KST date-time: ${what}`);
  }
  return new Date(ms);
}

/**
 * The UTC instant of a KST 'YYYYMMDD' + 'HHmm' (as in baseDate/baseTime, fcstDate/fcstTime).
 * KMA writes midnight as '0000'; '2400' is accepted as the next day's 0000. Throws RangeError otherwise.
 */
export function kstToUtc(yyyymmdd: string, hhmm: string): Date {
  const d = /^(\d{4})(\d{2})(\d{2})$/.exec(yyyymmdd);
  const t = /^(\d{2})(\d{2})$/.exec(hhmm);
  if (!d || !t) throw new RangeError(`not a KST date/time: "${yyyymmdd}" "${hhmm}" (want YYYYMMDD and HHmm)`);
  const hour = Number(t[1]);
  const minute = Number(t[2]);
  if (hour === 24 && minute === 0) {
    return new Date(utcFromKstFields(Number(d[1]), Number(d[2]), Number(d[3]), 0, 0, `${yyyymmdd} ${hhmm}`).getTime() + 86_400_000);
  }
  return utcFromKstFields(Number(d[1]), Number(d[2]), Number(d[3]), hour, minute, `${yyyymmdd} ${hhmm}`);
}

/** The UTC instant of an ASOS 'YYYY-MM-DD HH:mm' KST timestamp (field `tm`). */
export function kstDateTimeToUtc(text: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})$/.exec(text);
  if (!m) throw new RangeError(`not a KST timestamp: "${text}" (want YYYY-MM-DD HH:mm)`);
  return utcFromKstFields(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), text);
}

/** UTC epoch ms of a KST wall-clock hour (month 1-12); no validation (the model's series arithmetic). */
export function kstWallClockToUtc(year: number, month: number, day: number, hour = 0): number {
  return Date.UTC(year, month - 1, day, hour) - KST_OFFSET_MS;
}

/** The KST wall-clock parts of a UTC instant in epoch ms. `dayOfYear` is 1-based. */
export function kstHourParts(time: number): { year: number; month: number; day: number; hour: number; dayOfYear: number } {
  const d = new Date(time + KST_OFFSET_MS);
  const year = d.getUTCFullYear();
  const dayOfYear = Math.floor((Date.UTC(year, d.getUTCMonth(), d.getUTCDate()) - Date.UTC(year, 0, 1)) / DAY_MS) + 1;
  return { year, month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), dayOfYear };
}

/** The KST day of week of a UTC instant in epoch ms, Monday = 0 .. Sunday = 6. */
export function kstWeekday(time: number): number {
  return (new Date(time + KST_OFFSET_MS).getUTCDay() + 6) % 7;
}

/** The KST calendar date of an instant, YYYY-MM-DD (e.g. a pipeline run's logical date). */
export function kstDate(at: Date | string | number): string {
  const t = at instanceof Date ? at.getTime() : typeof at === "string" ? Date.parse(at) : at;
  return new Date(t + KST_OFFSET_MS).toISOString().slice(0, 10);
}

/** "YYYY-MM-DD HH:mm KST" of an instant (ISO text or epoch ms), for people. */
export function kstLabel(at: Date | string | number): string {
  const t = at instanceof Date ? at.getTime() : typeof at === "string" ? Date.parse(at) : at;
  return `${new Date(t + KST_OFFSET_MS).toISOString().slice(0, 16).replace("T", " ")} KST`;
}
