import { describe, expect, it } from "vitest";
import { localIsoMinute, parseLocalIsoMinute, RESPONSE_TIMEZONES } from "./response-timezone.ts";

describe("response time zones", () => {
  const t = Date.UTC(2024, 11, 31, 20, 0); // 2024-12-31 20:00 UTC = 2025-01-01 05:00 KST
  it("writes KST and UTC wall clocks, across a year boundary", () => {
    expect(localIsoMinute(t, RESPONSE_TIMEZONES.UTC.offsetSeconds)).toBe("2024-12-31T20:00");
    expect(localIsoMinute(t, RESPONSE_TIMEZONES["Asia/Seoul"].offsetSeconds)).toBe("2025-01-01T05:00");
  });
  it("reads them back to the same instant", () => {
    for (const z of Object.values(RESPONSE_TIMEZONES)) expect(parseLocalIsoMinute(localIsoMinute(t, z.offsetSeconds), z.offsetSeconds)).toBe(t);
  });
});
