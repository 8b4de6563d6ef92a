// wrangler.toml's cron triggers and the handler's dispatch table name the same crons.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { DAILY_PIPELINE_CRON, HOURLY_INGEST_CRON, SCHEDULED_JOBS } from "./scheduled.ts";

describe("cron triggers", () => {
  it("has a dispatch entry for every cron in wrangler.toml and no other", async () => {
    const toml = await readFile(new URL("../../../wrangler.toml", import.meta.url), "utf8");
    const line = /^crons\s*=\s*\[(.*)\]\s*$/m.exec(toml);
    expect(line).not.toBeNull();
    const crons = [...line![1]!.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
    expect(crons.sort()).toEqual(Object.keys(SCHEDULED_JOBS).sort());
    expect(crons).toContain(HOURLY_INGEST_CRON);
    expect(crons).toContain(DAILY_PIPELINE_CRON);
  });
});
