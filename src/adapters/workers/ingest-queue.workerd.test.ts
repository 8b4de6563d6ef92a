// The hourly ingest of all 96 ASOS stations inside workerd, against the KMA mock (a dataset at every
// station's grid point, test/jobs/vitest-global-setup.ts) and a Hrana dev server of its own: the
// cron plans and enqueues one message per step, the consumer runs them in batches of the
// wrangler.toml max_batch_size. Every fetch (KMA and libSQL over HTTP) and every R2 call of each
// invocation is counted, to show each stays under the 1,000-subrequest limit; the figures are
// printed (README "Scaling to all stations"). The queue handler is called with the plugin's
// createMessageBatch/getQueueResult, which report acks and retries.
import { createExecutionContext, createMessageBatch, createScheduledController, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import type {} from "../../../test/jobs/provided-context.ts";
import { ASOS_STATIONS } from "../../locations/asos-catalog.ts";
import { openWorkersDatabase } from "./database.ts";
import type { Env } from "./env.ts";
import type { IngestMessage } from "./ingest-queue.ts";
import { HOURLY_INGEST_CRON } from "./scheduled.ts";
import worker from "./worker.ts";

/** wrangler.toml [[queues.consumers]] max_batch_size. */
const MAX_BATCH_SIZE = 20;
const SUBREQUEST_LIMIT = 1000;
// 02:15 KST on 2025-05-29: the 02:00 issues of both products are new (the mock has them).
const SCHEDULED_TIME = Date.UTC(2025, 4, 28, 17, 15);

const baseEnv = env as unknown as Env;
const KMA = inject("scaleKmaMockUrl");

interface Counts {
  kma: number;
  libsql: number;
  r2: number;
  queueSends: number;
}
let counts: Counts;
const zero = (): Counts => ({ kma: 0, libsql: 0, r2: 0, queueSends: 0 });
const realFetch = globalThis.fetch;

beforeEach(() => {
  counts = zero();
  // Every subrequest goes through fetch (the KMA client calls it per request; the libSQL client
  // takes globalThis.fetch when it is created, which the handlers do per invocation).
  globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith(new URL(KMA).origin)) counts.kma++;
    else counts.libsql++;
    return realFetch(input, init);
  }) as typeof fetch;
});
afterEach(() => {
  globalThis.fetch = realFetch;
});

/** The R2 binding with every call counted. */
const countingR2 = new Proxy(baseEnv.OBJECTS, {
  get(target, prop, receiver) {
    const v = Reflect.get(target, prop, receiver) as unknown;
    if (typeof v !== "function") return v;
    return (...args: unknown[]) => {
      counts.r2++;
      return (v as (...a: unknown[]) => unknown).apply(target, args);
    };
  },
});

const sent: IngestMessage[] = [];
const fakeQueue = {
  sendBatch: async (messages: Iterable<{ body: IngestMessage }>) => {
    counts.queueSends++;
    for (const m of messages) sent.push(m.body);
    return { metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } };
  },
  send: async () => {
    throw new Error("the fan-out sends in batches");
  },
  metrics: async () => ({ backlogCount: 0, backlogBytes: 0 }),
};

const ALL_IDS = ASOS_STATIONS.map((s) => s.id);
const scaleEnv = (extra: Partial<Env> = {}): Env =>
  ({
    ...baseEnv,
    OBJECTS: countingR2,
    LIBSQL_URL: inject("scaleDbUrl"),
    LIBSQL_AUTH_TOKEN: inject("jobsDbToken"),
    KMA_BASE_URL: KMA,
    KMA_SERVICE_KEY: inject("kmaMockServiceKey"),
    LOCATIONS: ALL_IDS.join(","),
    INGEST_QUEUE: fakeQueue,
    ...extra,
  }) as unknown as Env;

async function consume(e: Env, bodies: readonly unknown[]) {
  const batch = createMessageBatch<unknown>(
    "nalssi-ingest",
    bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(SCHEDULED_TIME), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  const before = { ...counts };
  const started = Date.now();
  const quiet = { log: console.log, warn: console.warn, error: console.error };
  const lines: string[] = [];
  console.log = console.warn = console.error = (...a: unknown[]) => void lines.push(a.map(String).join(" "));
  try {
    await worker.queue(batch, e);
  } finally {
    Object.assign(console, quiet);
  }
  const result = await getQueueResult(batch, ctx);
  const used = { kma: counts.kma - before.kma, libsql: counts.libsql - before.libsql, r2: counts.r2 - before.r2 };
  return { messages: bodies.length, result, used, subrequests: used.kma + used.libsql + used.r2, ms: Date.now() - started, lines };
}

describe("hourly ingest fan-out over Queues, 96 stations (workerd)", () => {
  it("plans 192 steps at 02:15 KST, enqueues them in 2 sendBatch calls, and every consumer invocation stays far under 1,000 subrequests", async () => {
    const e = scaleEnv();
    const quiet = { log: console.log, warn: console.warn };
    const cronLines: string[] = [];
    console.log = console.warn = (...a: unknown[]) => void cronLines.push(a.map(String).join(" "));
    const cronStarted = Date.now();
    try {
      await worker.scheduled(createScheduledController({ cron: HOURLY_INGEST_CRON, scheduledTime: SCHEDULED_TIME }), e);
    } finally {
      Object.assign(console, quiet);
    }
    const cron = { ...counts, ms: Date.now() - cronStarted };
    expect(sent).toHaveLength(192);
    expect(cron.queueSends).toBe(2);
    expect(cron.kma).toBe(0);
    expect(new Set(sent.map((m) => `${m.location}/${m.product}`)).size).toBe(192);
    expect(sent.every((m) => m.at === new Date(SCHEDULED_TIME).toISOString())).toBe(true);
    expect(cronLines.map((l) => (JSON.parse(l) as { message: string }).message)).toContain("hourly ingest enqueued");

    const invocations: Awaited<ReturnType<typeof consume>>[] = [];
    for (let i = 0; i < sent.length; i += MAX_BATCH_SIZE) invocations.push(await consume(e, sent.slice(i, i + MAX_BATCH_SIZE)));
    for (const inv of invocations) {
      expect(inv.result.explicitAcks.length).toBe(inv.messages); // every step acked ...
      expect(inv.used.kma).toBe(inv.messages); // ... after one KMA call each
      expect(inv.result.retryMessages).toEqual([]);
      expect(inv.subrequests).toBeLessThan(SUBREQUEST_LIMIT);
    }

    const { db } = openWorkersDatabase(e);
    const runs = await db.execute("SELECT job, status, count(*) AS n FROM ingest_runs GROUP BY job, status ORDER BY job");
    expect(runs.rows.map((r) => [r.job, r.status, r.n])).toEqual([
      ["ingest_plan", "succeeded", 1],
      ["ultra_srt_ncst", "succeeded", 96],
      ["vilage_fcst", "succeeded", 96],
    ]);
    expect((await db.execute("SELECT count(*) AS n FROM forecasts")).rows[0]!.n).toBe(96 * 944);
    expect((await db.execute("SELECT count(DISTINCT location_id) AS n FROM observations")).rows[0]!.n).toBe(96);
    const plan = await db.execute("SELECT params FROM ingest_runs WHERE job = 'ingest_plan'");
    expect(JSON.parse(String(plan.rows[0]!.params))).toMatchObject({
      locations: 96,
      steps: 192,
      fanout: "queue",
      degraded: null,
      nowcast: { every: 1, planned_per_day: 2304 },
      vilage_fcst: { every: 1, planned_per_day: 768 },
    });
    db.close();

    const steps = invocations.map((i) => i.result.explicitAcks.length);
    const per = invocations.map((i) => i.subrequests);
    const perStep = invocations.map((i, j) => i.subrequests / steps[j]!);
    const ms = invocations.map((i) => i.ms);
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    console.log(
      [
        `SCALE 96 stations, 02:15 KST (both products new): cron ${cron.libsql} libSQL + ${cron.queueSends} queue sends, ${cron.ms} ms; ${sent.length} messages`,
        `SCALE consumer: ${invocations.length} invocations of <= ${MAX_BATCH_SIZE} steps; subrequests per invocation max ${Math.max(...per)} (KMA ${Math.max(...invocations.map((i) => i.used.kma))}, libSQL ${Math.max(...invocations.map((i) => i.used.libsql))}, R2 ${Math.max(...invocations.map((i) => i.used.r2))}); per step ${Math.min(...perStep).toFixed(1)}..${Math.max(...perStep).toFixed(1)}`,
        `SCALE KMA calls this hour ${sum(invocations.map((i) => i.used.kma))}; wall time per invocation max ${Math.max(...ms)} ms, total ${sum(ms)} ms`,
        `SCALE per invocation: ${invocations.map((i) => `${i.messages} steps ${i.subrequests} subreq (kma ${i.used.kma} libsql ${i.used.libsql} r2 ${i.used.r2}) ${i.ms} ms`).join("; ")}`,
      ].join("\n"),
    );
  }, 600_000);

  it("a later hour (03:15 KST): the nowcast only, 96 messages", async () => {
    sent.length = 0;
    const e = scaleEnv();
    const quiet = console.log;
    console.log = () => undefined;
    try {
      await worker.scheduled(createScheduledController({ cron: HOURLY_INGEST_CRON, scheduledTime: SCHEDULED_TIME + 3_600_000 }), e);
    } finally {
      console.log = quiet;
    }
    expect(sent).toHaveLength(96);
    expect(sent.every((m) => m.product === "ultraSrtNcst")).toBe(true);
  });

  it("a budget too small for 96 stations hourly thins the nowcast visibly: logged, recorded, in the plan run", async () => {
    sent.length = 0;
    const e = scaleEnv({ KMA_DAILY_CALL_BUDGET: "2000" });
    const lines: string[] = [];
    const quiet = { log: console.log, warn: console.warn };
    console.log = console.warn = (...a: unknown[]) => void lines.push(a.map(String).join(" "));
    try {
      await worker.scheduled(createScheduledController({ cron: HOURLY_INGEST_CRON, scheduledTime: SCHEDULED_TIME }), e);
    } finally {
      Object.assign(console, quiet);
    }
    const warn = lines.map((l) => JSON.parse(l) as { level: string; message: string; degraded?: string }).find((l) => l.level === "warn")!;
    expect(warn.message).toMatch(
      /^hourly ingest plan degraded: nowcast thinned to every 2nd hour per location \(1152 calls\/day\): 96 locations x 24 = 2304 calls\/day > 1800 usable of the 2000 budget$/,
    );
    expect(sent.filter((m) => m.product === "ultraSrtNcst")).toHaveLength(48);
    expect(sent.filter((m) => m.product === "vilageFcst")).toHaveLength(96);
    const { db } = openWorkersDatabase(e);
    const rs = await db.execute("SELECT params FROM ingest_runs WHERE job = 'ingest_plan' ORDER BY id DESC LIMIT 1");
    expect(JSON.parse(String(rs.rows[0]!.params))).toMatchObject({ degraded: warn.degraded, nowcast: { every: 2, thinned: true, this_hour: 48 } });
    db.close();
  });

  it("the consumer acks a step, retries a transient failure, and drops a permanent one or a bad message", async () => {
    const at = new Date(SCHEDULED_TIME).toISOString();
    // `nowhere` is a custom point whose grid cell the mock has no data for: NO_DATA, worth a retry.
    const locations = JSON.stringify(["busan", { id: "nowhere", name: "No data here", lat: 36.0, lon: 130.5, station: "pohang" }]);
    const ok = await consume(scaleEnv({ LOCATIONS: locations }), [
      { v: 1, at, location: "busan", product: "ultraSrtNcst" },
      { v: 1, at, location: "nowhere", product: "ultraSrtNcst" },
      { v: 1, at, location: "tokyo", product: "ultraSrtNcst" },
      { nonsense: true },
    ]);
    expect(ok.result.explicitAcks.sort()).toEqual(["m0", "m2", "m3"]);
    expect(ok.result.retryMessages.map((m) => m.msgId)).toEqual(["m1"]);
    const wrongKey = "Wr0ng+Key/Of+The/Same+Shape0123456789abcdefghijklmnopqrstuvwxyzAB==";
    const auth = await consume(scaleEnv({ LOCATIONS: locations, KMA_SERVICE_KEY: wrongKey }), [{ v: 1, at, location: "busan", product: "vilageFcst" }]);
    expect(auth.result.explicitAcks).toEqual(["m0"]);
    expect(auth.result.retryMessages).toEqual([]);
    expect(auth.lines.some((l) => l.includes("ingest step failed permanently; not retried"))).toBe(true);
    expect(auth.lines.join("\n")).not.toContain(wrongKey);
  });
});
