import { describe, expect, it } from "vitest";
import { isReplayClock, replayClockFromSetting } from "./replay-clock.ts";

describe("replayClockFromSetting (the Worker's REPLAY_CLOCK var)", () => {
  it("unset or blank: no replay (the real clock)", () => {
    expect(replayClockFromSetting(undefined)).toBeUndefined();
    expect(replayClockFromSetting("  ")).toBeUndefined();
  });

  it("an ISO time with a zone: a replay clock frozen there", () => {
    const c = replayClockFromSetting("2018-11-30T23:00:00+09:00")!;
    expect(isReplayClock(c)).toBe(true);
    expect(c.now().toISOString()).toBe("2018-11-30T14:00:00.000Z");
    expect(c.replay.at).toBe("2018-11-30T14:00:00.000Z");
    expect(replayClockFromSetting("2018-11-30T14:00Z")!.replay.at).toBe("2018-11-30T14:00:00.000Z");
  });

  it("anything else is a RangeError naming the variable", () => {
    for (const bad of ["latest", "2018-11-30", "2018-11-30T14:00:00", "2018-13-30T14:00:00Z", "yesterday Z"]) {
      expect(() => replayClockFromSetting(bad, "REPLAY_CLOCK")).toThrow(/^REPLAY_CLOCK must be an ISO 8601 time with a zone/);
    }
  });
});
