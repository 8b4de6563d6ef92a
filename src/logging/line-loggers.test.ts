import { describe, expect, it } from "vitest";
import { redactSecret } from "../kma/service-key.ts";
import { jsonLinesLogger, textLogger } from "./line-loggers.ts";

const KEY = "Qk9n+Zx7/Lm2Pq8Rs4==";

describe("line loggers", () => {
  it("print JSON lines with the fields, without secrets, dropping records below the level", () => {
    const lines: string[] = [];
    const log = jsonLinesLogger((l) => lines.push(l), {
      redact: (t) => redactSecret(t, KEY),
      now: () => new Date("2025-05-29T00:00:00Z"),
      base: { job: "ingest" },
    });
    log.debug("hidden");
    log.error("failed", { url: `http://x/y?serviceKey=${encodeURIComponent(KEY)}&a=1`, error: new TypeError(`bad ${KEY}`), n: 3n });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({
      level: "error",
      message: "failed",
      time: "2025-05-29T00:00:00.000Z",
      job: "ingest",
      url: "http://x/y?serviceKey=***&a=1",
      error: { name: "TypeError", message: "bad ***" },
      n: "3",
    });
  });

  it("print readable lines for a terminal", () => {
    const lines: string[] = [];
    const log = textLogger((l) => lines.push(l), { minLevel: "warn", redact: (t) => redactSecret(t, KEY) });
    log.info("hidden");
    log.warn("kma request failed, retrying", { attempt: 1, error: `key ${KEY}` });
    expect(lines).toEqual(["warn: kma request failed, retrying (attempt=1, error=key ***)"]);
  });
});
