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
