// KMA speaks Korea Standard Time (UTC+9, no daylight saving); nalssi stores UTC. These helpers are the
// only place the +9 h lives: format a UTC instant as KMA's YYYYMMDD / HHmm, and read KMA's local
// date-times back into UTC instants, rejecting anything that is not a real calendar time.

export const KST_OFFSET_MS = 9 * 3_600_000;

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
