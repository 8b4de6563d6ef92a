// The Workers database adapter (@libsql/client/web), exercised from Node against the dev server.
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHranaDevServer } from "../../../tools/hrana-dev-server/server.ts";
import type { HranaDevServer } from "../../../tools/hrana-dev-server/server.ts";
import { WorkersDatabaseConfigError, openWorkersDatabase } from "./database.ts";

const TOKEN = "workers-adapter-token-77c1";
let server: HranaDevServer;
const dbPath = join(tmpdir(), `nalssi-workers-adapter-${crypto.randomUUID()}.db`);

beforeAll(async () => {
  server = await startHranaDevServer({ dbPath, port: 0, token: TOKEN });
});
afterAll(async () => {
  await server.close();
  await Promise.all(["", "-wal", "-shm"].map((s) => rm(dbPath + s, { force: true })));
});

describe("openWorkersDatabase", () => {
  it("talks to the database with the token as a Bearer header, never in the URL", async () => {
    const seen: { url: string; auth: string | null }[] = [];
    const spyFetch = (async (input: Request | string | URL, init?: RequestInit) => {
      const req = new Request(input, init);
      seen.push({ url: req.url, auth: req.headers.get("authorization") });
      return fetch(req);
    }) as typeof fetch;
    const { db, location } = openWorkersDatabase({ LIBSQL_URL: server.url, LIBSQL_AUTH_TOKEN: TOKEN }, { fetch: spyFetch });
    expect(location).toBe(server.url);
    expect((await db.execute("SELECT 7 AS seven")).rows[0]!.seven).toBe(7);
    expect(seen.length).toBeGreaterThan(0);
    for (const s of seen) {
      expect(s.auth).toBe(`Bearer ${TOKEN}`);
      expect(s.url).not.toContain(TOKEN);
    }
    db.close();
  });

  it("keeps the token out of errors: wrong token, unreachable server", async () => {
    const wrong = "wrong-token-for-test-31337";
    for (const env of [
      { LIBSQL_URL: server.url, LIBSQL_AUTH_TOKEN: wrong },
      { LIBSQL_URL: "http://127.0.0.1:9", LIBSQL_AUTH_TOKEN: wrong },
    ]) {
      const { db } = openWorkersDatabase(env);
      const e = (await db.execute("SELECT 1").catch((x: unknown) => x)) as Error;
      expect(e).toBeInstanceOf(Error);
      const text = `${e.message}\n${e.stack ?? ""}\n${String((e as { cause?: unknown }).cause ?? "")}`;
      expect(text).not.toContain(wrong);
      db.close();
    }
  });

  it("refuses a missing or unusable LIBSQL_URL with a clear error", () => {
    expect(() => openWorkersDatabase({})).toThrow(/LIBSQL_URL is not set/);
    expect(() => openWorkersDatabase({ LIBSQL_URL: "wss://db.example.com" })).toThrow(/libsql:, https: or http:/);
    expect(() => openWorkersDatabase({ LIBSQL_URL: "file:/tmp/x.db" })).toThrow(WorkersDatabaseConfigError);
    const e = (() => {
      try {
        openWorkersDatabase({ LIBSQL_URL: "https://db.example.com/?authToken=in-url-token-555", LIBSQL_AUTH_TOKEN: "in-url-token-555" });
      } catch (x) {
        return x as Error;
      }
      return undefined;
    })();
    expect(e?.message).toMatch(/must not carry credentials/);
    expect(e?.message).not.toContain("in-url-token-555");
  });
});
