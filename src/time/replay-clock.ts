// A replay clock: the current time, as far as serving is concerned, is a fixed instant in the past
// (the end of the bundled data in the offline demo). It says so: anything that shows the time can
// ask isReplayClock() and label it as a replay. Runtime-agnostic.
import type { Clock } from "../ports/clock.ts";

export interface ReplayClock extends Clock {
  readonly replay: {
    /** The frozen "now", ISO UTC. */
    at: string;
    /** Why, for people (e.g. "the bundled data ends here"). */
    reason: string;
  };
}

export function replayClock(at: Date, reason: string): ReplayClock {
  const t = at.getTime();
  if (!Number.isFinite(t)) throw new RangeError("replay clock: the instant is not a valid time");
  const iso = new Date(t).toISOString();
  return Object.freeze({ now: () => new Date(t), replay: Object.freeze({ at: iso, reason }) });
}

export function isReplayClock(clock: Clock): clock is ReplayClock {
  const r = (clock as Partial<ReplayClock>).replay;
  return typeof r === "object" && r !== null && typeof r.at === "string";
}

/**
 * The replay clock a deployment asks for by configuration (the Worker's `REPLAY_CLOCK` var, which
 * `npm run dev` sets to the newest bundled observation): an ISO 8601 instant with a time zone
 * ("2018-11-30T14:00:00Z", "2018-11-30T23:00:00+09:00"), or unset/empty for the real clock.
 * Anything else is a RangeError naming the variable.
 */
export function replayClockFromSetting(
  value: string | undefined,
  name = "REPLAY_CLOCK",
  reason = `${name} is set: serving as of this instant`,
): ReplayClock | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v) || !Number.isFinite(Date.parse(v))) {
    throw new RangeError(`${name} must be an ISO 8601 time with a zone, such as 2018-11-30T14:00:00Z (got ${JSON.stringify(v.slice(0, 40))})`);
  }
  return replayClock(new Date(v), reason);
}
