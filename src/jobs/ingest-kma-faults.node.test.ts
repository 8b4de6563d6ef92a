// Every way a KMA call fails, through the real HTTP path (the KMA mock server on loopback): the step
// fails with a one-line error naming the cause, its ingest run is recorded as failed with the error
// class, and nothing of the step is written (no row, no object). The service key appears nowhere.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKmaMock } from "../../test/kma-mock/server.ts";
import type { KmaFault, KmaMock } from "../../test/kma-mock/server.ts";
import { MOCK_INGEST_AT, jobMockDatasets } from "../../test/jobs/mock-datasets.ts";
import { KmaClient } from "../kma/client.ts";
import { SEOUL } from "../locations/locations.ts";
import { fixedClock } from "../ports/clock.ts";
import { memoryLogger } from "../ports/logger.ts";
import { createMemoryObjectStore } from "../storage/memory-object-store.ts";
import { runIngest } from "./ingest.ts";
import { allDatabaseText, allObjectText, keyForms, migratedMemoryDb } from "./test-fakes.ts";

let mock: KmaMock;
beforeAll(async () => {
  mock = await startKmaMock({ extraDatasets: jobMockDatasets() });
});
afterAll(async () => {
  await mock.close();
});

const MAX_ATTEMPTS = 2;
const twice = (f: KmaFault): KmaFault[] => [f, f];

// [kind, faults for the nowcast request(s), what the message must say]
const CASES: [string, KmaFault[], RegExp][] = [
  [
    "no-data",
    [{ type: "no-data" }, { type: "no-data", withBody: true }],
    /NO_DATA \(resultCode 03\) for issue 20250529 0200 KST and for the previous issue 20250529 0100 KST/,
  ],
  ["rate-limited", twice({ type: "result-code", code: "22" }), /LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR/],
  ["rate-limited", twice({ type: "http-status", status: 429 }), /429/],
  ["auth", [{ type: "gateway-xml", code: "30" }], /SERVICE_KEY_IS_NOT_REGISTERED_ERROR/],
  ["auth", [{ type: "result-code", code: "20", httpStatus: 403 }], /SERVICE_ACCESS_DENIED_ERROR/],
  ["auth", [{ type: "gateway-xml", code: "31" }], /DEADLINE_HAS_EXPIRED_ERROR/],
  ["bad-request", [{ type: "result-code", code: "10" }], /INVALID_REQUEST_PARAMETER_ERROR/],
  ["service", twice({ type: "result-code", code: "99" }), /UNKNOWN_ERROR/],
  ["service", twice({ type: "xml-header", code: "02" }), /DB_ERROR/],
  ["http", twice({ type: "http-status", status: 503, body: "Service Unavailable" }), /503/],
  ["http", [{ type: "http-status", status: 404, body: "Not Found" }], /404/],
  ["html", twice({ type: "html" }), /HTML/i], // retried like a 5xx (a gateway page)
  ["invalid-json", twice({ type: "truncated-json" }), /JSON/], // retried like a 5xx (cut short)
  ["invalid-response", [{ type: "http-status", status: 200, contentType: "application/json", body: '{"result":"ok"}' }], /./],
  ["timeout", twice({ type: "hang" }), /timeout/],
  ["timeout", twice({ type: "hang-body" }), /timeout/],
  ["network", twice({ type: "reset" }), /network error/],
];

describe("ingest against the KMA mock: every failure class", () => {
  it.each(CASES)("%s (%j)", async (kind, faults, message) => {
    mock.reset();
    mock.script(...faults);
    const db = await migratedMemoryDb();
    const objects = createMemoryObjectStore();
    const logger = memoryLogger();
    const clock = fixedClock("2025-05-28T17:16:00Z");
    const kma = new KmaClient({
      serviceKey: mock.serviceKey,
      baseUrl: mock.baseUrl,
      clock,
      logger,
      maxAttempts: MAX_ATTEMPTS,
      sleep: async () => {},
      timeoutMs: 300,
    });
    const result = await runIngest(
      { db, objects, clock, logger, kma, redact: (t) => kma.redact(t) },
      { locations: [SEOUL], at: new Date(MOCK_INGEST_AT), products: ["ultraSrtNcst"] },
    );
    expect(mock.pendingFaults()).toBe(0);
    const step = result.steps[0]!;
    expect(step.status).toBe("failed");
    expect(step.error!.class).toBe(`KmaError:${kind}`);
    expect(step.error!.message).toMatch(message);
    expect(step.error!.message).not.toMatch(/\n/);
    expect(step.error!.message).toMatch(/^getUltraSrtNcst: /);
    const run = (await db.execute("SELECT job, status, error_class, error_message, rows_inserted FROM ingest_runs")).rows.map((r) => ({ ...r }));
    expect(run).toEqual([{ job: "ultra_srt_ncst", status: "failed", error_class: `KmaError:${kind}`, error_message: step.error!.message, rows_inserted: 0 }]);
    expect(Number((await db.execute("SELECT count(*) AS n FROM observations")).rows[0]!.n)).toBe(0);
    expect(await objects.list()).toEqual([]);
    const everything = [await allDatabaseText(db), await allObjectText(objects), JSON.stringify(logger.records), JSON.stringify(result)].join("\n");
    for (const form of keyForms(mock.serviceKey)) expect(everything).not.toContain(form);
    // The mock did receive the key: the requests were real.
    expect(mock.requests.every((r) => r.keyOk)).toBe(true);
  });

  it("succeeds over HTTP when KMA answers, with the raw body stored as received", async () => {
    mock.reset();
    const db = await migratedMemoryDb();
    const objects = createMemoryObjectStore();
    const clock = fixedClock("2025-05-28T17:16:00Z");
    const kma = new KmaClient({ serviceKey: mock.serviceKey, baseUrl: mock.baseUrl, clock });
    const result = await runIngest({ db, objects, clock, logger: memoryLogger(), kma }, { locations: [SEOUL], at: new Date(MOCK_INGEST_AT) });
    expect(result.steps.map((s) => [s.status, s.counts.inserted])).toEqual([
      ["succeeded", 1],
      ["succeeded", 944],
    ]);
    const raw = (await objects.get("raw/kma/getUltraSrtNcst/seoul/2025-05-29/0200.json"))!;
    expect(JSON.parse(new TextDecoder().decode(raw.body)).response.header).toEqual({ resultCode: "00", resultMsg: "NORMAL_SERVICE" });
    expect(raw.metadata["kma-url"]).toBe(
      `${mock.baseUrl}/VilageFcstInfoService_2.0/getUltraSrtNcst?serviceKey=***&pageNo=1&numOfRows=1000&dataType=JSON&base_date=20250529&base_time=0200&nx=60&ny=127`,
    );
  });
});
