// wrangler.toml's cron triggers and the Worker's crons (crons.ts) name the same crons; the handler's
// dispatch table (scheduled.ts SCHEDULED_JOBS) is typed `satisfies Record<Cron, ScheduledJob>`, so the
// workerd typecheck fails when it misses one of them.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { CRONS, DAILY_PIPELINE_CRON, HOURLY_INGEST_CRON } from "./crons.ts";

describe("cron triggers", () => {
  it("has a cron in crons.ts for every cron in wrangler.toml and no other", async () => {
    const toml = await readFile(new URL("../../../wrangler.toml", import.meta.url), "utf8");
    const line = /^crons\s*=\s*\[(.*)\]\s*$/m.exec(toml);
    expect(line).not.toBeNull();
    const crons = [...line![1]!.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
    expect(crons.sort()).toEqual([...CRONS].sort());
    expect(crons).toContain(HOURLY_INGEST_CRON);
    expect(crons).toContain(DAILY_PIPELINE_CRON);
  });
});
