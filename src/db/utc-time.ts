// The one time format the database stores: UTC ISO 8601 with second precision and a 'Z'
// ('2025-05-29T14:00:00Z'). The schema's CHECK constraints accept nothing else, so values are
// normalized here (a Date, or any ISO string with an offset or milliseconds, e.g. from toISOString()).

/** A time value could not be stored (not a valid instant, not on the hour, sub-second part). */
export class UtcTimeError extends RangeError {
  override name = "UtcTimeError";
}

function toDate(value: Date | string, what: string): Date {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new UtcTimeError(`${what} is an invalid Date`);
    return value;
  }
  if (typeof value !== "string") throw new UtcTimeError(`${what} must be a Date or an ISO 8601 string, got ${typeof value}`);
  // Only full ISO date-times with an explicit offset: a bare '2025-05-29T14:00' would be read as local time.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    throw new UtcTimeError(`${what} must be an ISO 8601 date-time with Z or an offset, got ${JSON.stringify(value)}`);
  }
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new UtcTimeError(`${what} is not a valid date-time: ${JSON.stringify(value)}`);
  return d;
}

/** '2025-05-29T14:03:12Z'. Throws UtcTimeError if the instant has a non-zero sub-second part. */
export function toUtcSecond(value: Date | string, what = "time"): string {
  const d = toDate(value, what);
  if (d.getTime() % 1000 !== 0) throw new UtcTimeError(`${what} has a sub-second part (${d.toISOString()}); the database stores whole seconds`);
  return d.toISOString().replace(".000Z", "Z");
}

/** Drops the sub-second part first (for "now"-like instants where milliseconds carry no meaning). */
export function toUtcSecondFloor(value: Date | string, what = "time"): string {
  const d = toDate(value, what);
  return toUtcSecond(new Date(Math.floor(d.getTime() / 1000) * 1000), what);
}

/** '2025-05-29T14:00:00Z'. Throws UtcTimeError unless the instant is exactly on a UTC hour. */
export function toUtcHour(value: Date | string, what = "hour"): string {
  const d = toDate(value, what);
  if (d.getTime() % 3_600_000 !== 0) throw new UtcTimeError(`${what} must be on the hour, got ${d.toISOString()}`);
  return toUtcSecond(d, what);
}
