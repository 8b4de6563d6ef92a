// Conformance of tools/hrana-dev-server with the client the Worker uses (@libsql/client/web 0.18,
// Hrana v2 over HTTP), plus protocol-level checks with raw requests (v3, cursor, describe, batons).
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createClient, LibsqlBatchError, LibsqlError } from "@libsql/client/web";
import type { Client, InStatement } from "@libsql/client/web";
import { openHttp } from "@libsql/hrana-client";
import { startHranaDevServer } from "../../tools/hrana-dev-server/server.ts";
import type { HranaDevServer } from "../../tools/hrana-dev-server/server.ts";

const TOKEN = "dev-token-8d1f0c2e";
const dbPaths: string[] = [];

function tempDbPath(): string {
  const p = join(tmpdir(), `nalssi-hrana-${crypto.randomUUID()}.db`);
  dbPaths.push(p);
  return p;
}

afterAll(async () => {
  await Promise.all(dbPaths.flatMap((p) => ["", "-wal", "-shm"].map((s) => rm(p + s, { force: true }))));
});

async function pipeline(
  server: HranaDevServer,
  body: unknown,
  path = "/v2/pipeline",
  token: string | null = TOKEN,
): Promise<{ status: number; type: string | null; body: any }> {
  const res = await fetch(server.url + path, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const type = res.headers.get("content-type");
  const text = await res.text();
  return { status: res.status, type, body: type === "application/json" ? JSON.parse(text) : text };
}

const exec = (sql: string, extra: Record<string, unknown> = {}) => ({ type: "execute", stmt: { sql, ...extra } });

describe("hrana dev server with @libsql/client/web", () => {
  let server: HranaDevServer;
  let client: Client;
  const clients: Client[] = [];
  const open = (options: { intMode?: "number" | "bigint" | "string"; authToken?: string } = {}) => {
    const c = createClient({ url: server.url, authToken: TOKEN, ...options });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    server = await startHranaDevServer({ dbPath: tempDbPath(), port: 0, token: TOKEN, busyTimeoutMs: 3000 });
    client = open({ intMode: "bigint" });
    await client.executeMultiple(`
      CREATE TABLE kv (k TEXT PRIMARY KEY, v ANY) STRICT;
      CREATE TABLE typed (i INTEGER, r REAL, t TEXT, b BLOB, n INTEGER);
      CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL CHECK (n >= 0)) STRICT;
    `);
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await server.close();
  });
  afterEach(async () => {
    await client.batch(["DELETE FROM kv", "DELETE FROM typed", "DELETE FROM counter"], "write");
  });

  it("executes with positional args and returns every value type exactly", async () => {
    const blob = new Uint8Array(256).map((_, i) => i);
    const ins = await client.execute({
      sql: "INSERT INTO typed (i, r, t, b, n) VALUES (?, ?, ?, ?, ?)",
      args: [9223372036854775807n, 0.1, "서울 ☀️", blob, null],
    });
    expect(ins.rowsAffected).toBe(1);
    expect(ins.lastInsertRowid).toBe(1n);
    const rs = await client.execute("SELECT i, r, t, b, n, -9223372036854775808 AS min_i, 1.0 AS one_f, 1 AS one_i, typeof(r) AS tr FROM typed");
    expect(rs.columns).toEqual(["i", "r", "t", "b", "n", "min_i", "one_f", "one_i", "tr"]);
    expect(rs.columnTypes.slice(0, 5)).toEqual(["INTEGER", "REAL", "TEXT", "BLOB", "INTEGER"]);
    const row = rs.rows[0]!;
    expect(row.i).toBe(9223372036854775807n);
    expect(row.r).toBe(0.1);
    expect(row.t).toBe("서울 ☀️");
    expect(new Uint8Array(row.b as ArrayBuffer)).toEqual(blob);
    expect(row.n).toBeNull();
    expect(row.min_i).toBe(-9223372036854775808n);
    expect(row.one_f).toBe(1); // a REAL stays a float ...
    expect(row.one_i).toBe(1n); // ... an INTEGER is an integer
    expect(row.tr).toBe("real");
    expect(rs.rowsAffected).toBe(0);
  });

  it("refuses integers beyond 2^53 in intMode number instead of rounding them", async () => {
    const numbers = open({ intMode: "number" });
    await expect(numbers.execute("SELECT 9007199254740993 AS big")).rejects.toThrow(RangeError);
    expect((await numbers.execute("SELECT 9007199254740991 AS ok")).rows[0]!.ok).toBe(9007199254740991);
    const strings = open({ intMode: "string" });
    expect((await strings.execute("SELECT 9007199254740993 AS big")).rows[0]!.big).toBe("9007199254740993");
  });

  it("binds named args with and without their :, @ or $ prefix, and reuses a named slot", async () => {
    const rs = await client.execute({ sql: "SELECT :a AS a, @b AS b, $c AS c, :a || @b AS ab", args: { a: "x", "@b": "y", c: 3n } });
    expect(rs.rows[0]).toMatchObject({ a: "x", b: "y", c: 3n, ab: "xy" });
    const numbered = await client.execute({ sql: "SELECT ?2 AS two, ?1 AS one, ? AS three", args: ["first", "second", "third"] });
    expect(numbered.rows[0]).toMatchObject({ one: "first", two: "second", three: "third" });
  });

  it("reports argument mismatches like sqld (ARGS_INVALID) instead of binding NULL", async () => {
    const stmts: InStatement[] = [
      { sql: "SELECT ? AS a, ? AS b", args: [1n] },
      { sql: "SELECT ? AS a", args: [1n, 2n] },
      { sql: "SELECT :a AS a, :b AS b", args: { a: 1n } },
      { sql: "SELECT :a AS a", args: { a: 1n, zz: 2n } },
    ];
    for (const stmt of stmts) {
      const e = await client.execute(stmt).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(LibsqlError);
      expect((e as LibsqlError).code).toBe("ARGS_INVALID");
    }
  });

  it("answers SQL errors with sqld's codes and messages", async () => {
    const cases: [string, string, RegExp][] = [
      ["SELEC 1", "SQLITE_ERROR", /syntax error/],
      ["SELECT * FROM missing_table", "SQLITE_ERROR", /no such table: missing_table/],
      ["SELECT 1; SELECT 2", "SQL_MANY_STATEMENTS", /more than one statement/],
      ["  -- only a comment", "SQL_NO_STATEMENT", /does not contain any statement/],
    ];
    for (const [sql, code, message] of cases) {
      const e = (await client.execute(sql).catch((x: unknown) => x)) as LibsqlError;
      expect(e).toBeInstanceOf(LibsqlError);
      expect(e.code).toBe(code);
      expect(e.message).toMatch(message);
    }
    await client.execute("INSERT INTO counter (id, n) VALUES (1, 0)");
    const dup = (await client.execute("INSERT INTO counter (id, n) VALUES (1, 0)").catch((x: unknown) => x)) as LibsqlError;
    expect(dup.code).toBe("SQLITE_CONSTRAINT");
    expect(dup.message).toMatch(/UNIQUE constraint failed: counter.id/);
    const strict = (await client.execute({ sql: "INSERT INTO counter (id, n) VALUES (2, ?)", args: ["not a number"] }).catch((x: unknown) => x)) as LibsqlError;
    expect(strict.code).toBe("SQLITE_CONSTRAINT");
    expect(strict.message).toMatch(/cannot store TEXT value in INTEGER column/);
  });

  it("runs a batch atomically: all statements or none", async () => {
    const ok = await client.batch(
      [
        { sql: "INSERT INTO kv (k, v) VALUES (?, ?)", args: ["a", 1n] },
        { sql: "INSERT INTO kv (k, v) VALUES (?, ?)", args: ["b", 2n] },
        "SELECT k, v FROM kv ORDER BY k",
      ],
      "write",
    );
    expect(ok.map((r) => r.rowsAffected)).toEqual([1, 1, 0]);
    expect(ok[2]!.rows.map((r) => [r.k, r.v])).toEqual([
      ["a", 1n],
      ["b", 2n],
    ]);
    const e = await client
      .batch(
        [{ sql: "INSERT INTO kv (k, v) VALUES ('c', 3)" }, { sql: "INSERT INTO kv (k, v) VALUES ('a', 9)" }, { sql: "INSERT INTO kv (k, v) VALUES ('d', 4)" }],
        "write",
      )
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LibsqlBatchError);
    expect((e as LibsqlBatchError).statementIndex).toBe(1);
    expect((e as LibsqlBatchError).code).toBe("SQLITE_CONSTRAINT");
    const rows = await client.execute("SELECT k FROM kv ORDER BY k");
    expect(rows.rows.map((r) => r.k)).toEqual(["a", "b"]);
  });

  it("caches repeated and many different statements on the stream (store_sql / close_sql)", async () => {
    // 40 distinct texts overflow the client's 30-entry cache, so it closes and stores texts mid-batch.
    const stmts = Array.from({ length: 40 }, (_, i) => ({ sql: `INSERT INTO kv (k, v) VALUES ('k${i}', ${i})` }));
    const repeated = Array.from({ length: 10 }, (_, i) => ({ sql: "INSERT INTO counter (n) VALUES (?)", args: [BigInt(i)] }));
    const results = await client.batch([...stmts, ...repeated], "write");
    expect(results).toHaveLength(50);
    expect((await client.execute("SELECT count(*) AS n FROM kv")).rows[0]!.n).toBe(40n);
    expect((await client.execute("SELECT sum(n) AS s FROM counter")).rows[0]!.s).toBe(45n);
  });

  it("keeps an interactive transaction open across requests (batons) and commits it", async () => {
    const other = open({ intMode: "bigint" });
    const tx = await client.transaction("write");
    await tx.execute({ sql: "INSERT INTO kv (k, v) VALUES (?, ?)", args: ["t", 1n] });
    await tx.execute({ sql: "UPDATE kv SET v = v + 1 WHERE k = ?", args: ["t"] });
    expect((await tx.execute("SELECT v FROM kv WHERE k = 't'")).rows[0]!.v).toBe(2n);
    expect((await other.execute("SELECT count(*) AS n FROM kv")).rows[0]!.n).toBe(0n); // not visible outside yet
    await tx.commit();
    expect(tx.closed).toBe(true);
    expect((await other.execute("SELECT v FROM kv WHERE k = 't'")).rows[0]!.v).toBe(2n);
  });

  it("rolls an interactive transaction back", async () => {
    const tx = await client.transaction("write");
    await tx.batch([{ sql: "INSERT INTO kv (k, v) VALUES ('r1', 1)" }, { sql: "INSERT INTO kv (k, v) VALUES ('r2', 2)" }]);
    await tx.executeMultiple("INSERT INTO kv (k, v) VALUES ('r3', 3); INSERT INTO kv (k, v) VALUES ('r4', 4);");
    expect((await tx.execute("SELECT count(*) AS n FROM kv")).rows[0]!.n).toBe(4n);
    await tx.rollback();
    expect((await client.execute("SELECT count(*) AS n FROM kv")).rows[0]!.n).toBe(0n);
  });

  it("keeps a transaction usable after a failing statement inside it", async () => {
    const tx = await client.transaction("write");
    await tx.execute("INSERT INTO counter (id, n) VALUES (1, 5)");
    await expect(tx.execute("UPDATE counter SET n = -1 WHERE id = 1")).rejects.toThrow(/CHECK constraint failed/);
    await tx.execute("UPDATE counter SET n = 6 WHERE id = 1");
    await tx.commit();
    expect((await client.execute("SELECT n FROM counter WHERE id = 1")).rows[0]!.n).toBe(6n);
  });

  it("makes a writer wait for another stream's write transaction instead of failing", async () => {
    const other = open({ intMode: "bigint" });
    const tx = await client.transaction("write");
    await tx.execute("INSERT INTO kv (k, v) VALUES ('first', 1)");
    const started = Date.now();
    const waiting = other.execute("INSERT INTO kv (k, v) VALUES ('second', 2)");
    await new Promise((r) => setTimeout(r, 300));
    await tx.commit(); // served while the other stream's statement is still waiting for the lock
    await waiting;
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect((await client.execute("SELECT k FROM kv ORDER BY k")).rows.map((r) => r.k)).toEqual(["first", "second"]);
  });

  it("releases the write lock at once when a stream ends inside a transaction (close, failed script)", async () => {
    const tx = await client.transaction("write");
    await tx.execute("INSERT INTO kv (k, v) VALUES ('abandoned', 1)");
    tx.close(); // neither commit nor rollback
    await expect(client.executeMultiple("BEGIN IMMEDIATE; INSERT INTO kv (k, v) VALUES ('half', 1); INSERT INTO nowhere VALUES (1); COMMIT;")).rejects.toThrow(
      /nowhere/,
    );
    const started = Date.now();
    await client.execute("INSERT INTO kv (k, v) VALUES ('after', 1)"); // would wait the 3 s busy timeout if a lock leaked
    expect(Date.now() - started).toBeLessThan(1000);
    expect((await client.execute("SELECT k FROM kv ORDER BY k")).rows.map((r) => r.k)).toEqual(["after"]);
  });

  it("executes a multi-statement script (executeMultiple / sequence) and stops at the first error", async () => {
    await client.executeMultiple("INSERT INTO kv (k, v) VALUES ('s1', 1); INSERT INTO kv (k, v) VALUES ('s2', 2);");
    await expect(
      client.executeMultiple("INSERT INTO kv (k, v) VALUES ('s3', 3); INSERT INTO nowhere VALUES (1); INSERT INTO kv (k, v) VALUES ('s4', 4);"),
    ).rejects.toThrow(/no such table: nowhere/);
    expect((await client.execute("SELECT k FROM kv ORDER BY k")).rows.map((r) => r.k)).toEqual(["s1", "s2", "s3"]);
  });

  it("rejects a missing or wrong token with HTTP 401 and never echoes the token", async () => {
    const wrong = "wrong-token-55aa77";
    for (const c of [createClient({ url: server.url, authToken: wrong }), createClient({ url: server.url })]) {
      clients.push(c);
      const e = (await c.execute("SELECT 1").catch((x: unknown) => x)) as LibsqlError;
      expect(e).toBeInstanceOf(LibsqlError);
      expect(e.code).toBe("SERVER_ERROR");
      expect(e.message).toMatch(/HTTP status 401/);
      expect(e.message).not.toContain(wrong);
      expect(e.message).not.toContain(TOKEN);
    }
    expect((await fetch(server.url + "/health")).status).toBe(200);
  });

  it("falls back to protocol 2 when a client asks for 3 (no protobuf here)", async () => {
    const hrana = openHttp(server.url, TOKEN, undefined, undefined, 3);
    try {
      expect(await hrana.getVersion()).toBe(2);
      const stream = hrana.openStream();
      expect((await stream.queryValue("SELECT 42")).value).toBe(42);
      stream.close();
    } finally {
      hrana.close();
    }
  });

  it("describes a statement: parameter names, columns, explain and read-only flags", async () => {
    const hrana = openHttp(server.url, TOKEN);
    try {
      const stream = hrana.openStream();
      const d = await stream.describe("SELECT k, v FROM kv WHERE k = :key AND v > ?3");
      expect(d.paramNames).toEqual([":key", undefined, "?3"]); // the server sends null; hrana-client reads it as undefined
      expect(d.columns).toEqual([
        { name: "k", decltype: "TEXT" },
        { name: "v", decltype: "ANY" },
      ]);
      expect(d.isExplain).toBe(false);
      expect(d.isReadonly).toBe(true);
      const w = await stream.describe("INSERT INTO kv (k, v) VALUES (?, ?)");
      expect(w.isReadonly).toBe(false);
      expect(w.columns).toEqual([]);
      expect((await stream.describe("EXPLAIN SELECT 1")).isExplain).toBe(true);
      stream.close();
    } finally {
      hrana.close();
    }
  });
});

describe("hrana dev server protocol details (raw HTTP)", () => {
  let server: HranaDevServer;
  beforeAll(async () => {
    server = await startHranaDevServer({ dbPath: tempDbPath(), port: 0, token: TOKEN, streamExpiryMs: 300 });
  });
  afterAll(async () => {
    await server.close();
  });

  it("announces v2 and v3 JSON and refuses protobuf", async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect((await fetch(server.url + "/v2", { headers: auth })).status).toBe(200);
    expect((await fetch(server.url + "/v3", { headers: auth })).status).toBe(200);
    expect((await fetch(server.url + "/v3-protobuf", { headers: auth })).status).toBe(404);
  });

  it("rotates the baton on every request and refuses a reused or forged one with HTTP 400", async () => {
    const first = await pipeline(server, { baton: null, requests: [exec("SELECT 1")] });
    expect(first.status).toBe(200);
    const b1 = first.body.baton as string;
    const second = await pipeline(server, { baton: b1, requests: [exec("SELECT 2")] });
    expect(second.status).toBe(200);
    expect(second.body.baton).not.toBe(b1);
    const reused = await pipeline(server, { baton: b1, requests: [exec("SELECT 3")] });
    expect(reused.status).toBe(400);
    expect(reused.type).toBe("text/plain");
    expect(reused.body).toMatch(/baton was reused/);
    const [id, seq] = (second.body.baton as string).split(".");
    const forged = await pipeline(server, { baton: `${id}.${seq}.AAAA`, requests: [exec("SELECT 4")] });
    expect(forged.status).toBe(400);
    expect(forged.body).toMatch(/not issued by this server/);
  });

  it("closes the stream on `close`: the response has no baton", async () => {
    const r = await pipeline(server, { baton: null, requests: [exec("SELECT 1"), { type: "close" }] });
    expect(r.body.baton).toBeNull();
    expect(r.body.base_url).toBeNull();
    expect(r.body.results.map((x: { response: { type: string } }) => x.response.type)).toEqual(["execute", "close"]);
  });

  it("rolls back and expires a stream left idle (HTTP 500 STREAM_EXPIRED)", async () => {
    await pipeline(server, { baton: null, requests: [exec("CREATE TABLE IF NOT EXISTS e (x INTEGER)"), { type: "close" }] });
    const open = await pipeline(server, { baton: null, requests: [exec("BEGIN IMMEDIATE"), exec("INSERT INTO e VALUES (1)")] });
    await new Promise((r) => setTimeout(r, 700));
    const late = await pipeline(server, { baton: open.body.baton, requests: [exec("COMMIT")] });
    expect(late.status).toBe(500);
    expect(late.body).toEqual({ message: "The stream has expired due to inactivity", code: "STREAM_EXPIRED" });
    const count = await pipeline(server, { baton: null, requests: [exec("SELECT count(*) FROM e"), { type: "close" }] });
    expect(count.body.results[0].response.result.rows).toEqual([[{ type: "integer", value: "0" }]]);
  });

  it("evaluates batch conditions (ok, error, not, and, or) and skips steps whose condition is false", async () => {
    const r = await pipeline(server, {
      baton: null,
      requests: [
        {
          type: "batch",
          batch: {
            steps: [
              { stmt: { sql: "SELECT 1" } },
              { stmt: { sql: "SELECT * FROM nope" } },
              { condition: { type: "ok", step: 0 }, stmt: { sql: "SELECT 'ran-ok'" } },
              { condition: { type: "ok", step: 1 }, stmt: { sql: "SELECT 'must-not-run'" } },
              {
                condition: {
                  type: "and",
                  conds: [
                    { type: "error", step: 1 },
                    { type: "not", cond: { type: "ok", step: 1 } },
                  ],
                },
                stmt: { sql: "SELECT 'ran-and'" },
              },
              {
                condition: {
                  type: "or",
                  conds: [
                    { type: "ok", step: 3 },
                    { type: "error", step: 3 },
                  ],
                },
                stmt: { sql: "SELECT 'skipped-step-is-neither'" },
              },
            ],
          },
        },
        { type: "close" },
      ],
    });
    const { step_results, step_errors } = r.body.results[0].response.result;
    expect(step_results.map((s: unknown) => s !== null)).toEqual([true, false, true, false, true, false]);
    expect(step_errors.map((s: unknown) => s !== null)).toEqual([false, true, false, false, false, false]);
    expect(step_errors[1].code).toBe("SQLITE_ERROR");
    expect(step_results[4].rows[0][0]).toEqual({ type: "text", value: "ran-and" });
  });

  it("refuses a condition on a later step, and v3-only requests on v2", async () => {
    const later = await pipeline(server, {
      baton: null,
      requests: [{ type: "batch", batch: { steps: [{ condition: { type: "ok", step: 0 }, stmt: { sql: "SELECT 1" } }] } }],
    });
    expect(later.status).toBe(400);
    const v2 = await pipeline(server, { baton: null, requests: [{ type: "get_autocommit" }] });
    expect(v2.status).toBe(400);
    expect(v2.body).toMatch(/Hrana 3/);
    const unknown = await pipeline(server, { baton: null, requests: [{ type: "teleport" }] });
    expect(unknown.status).toBe(400);
  });

  it("serves Hrana 3: get_autocommit, the is_autocommit condition and cursors", async () => {
    const r = await pipeline(
      server,
      {
        baton: null,
        requests: [
          { type: "get_autocommit" },
          exec("BEGIN"),
          { type: "get_autocommit" },
          {
            type: "batch",
            batch: {
              steps: [
                { condition: { type: "is_autocommit" }, stmt: { sql: "SELECT 'outside'" } },
                { condition: { type: "not", cond: { type: "is_autocommit" } }, stmt: { sql: "SELECT 'inside'" } },
              ],
            },
          },
          exec("ROLLBACK"),
        ],
      },
      "/v3/pipeline",
    );
    expect(r.status).toBe(200);
    expect(r.body.results[0].response.is_autocommit).toBe(true);
    expect(r.body.results[2].response.is_autocommit).toBe(false);
    expect(r.body.results[3].response.result.step_results.map((s: unknown) => s !== null)).toEqual([false, true]);

    const res = await fetch(server.url + "/v3/cursor", {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({
        baton: r.body.baton,
        batch: { steps: [{ stmt: { sql: "SELECT 1 AS a UNION ALL SELECT 2" } }, { stmt: { sql: "SELECT * FROM nope" } }] },
      }),
    });
    const lines = (await res.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines[0].baton).toEqual(expect.any(String));
    expect(lines.slice(1).map((e: { type: string }) => e.type)).toEqual(["step_begin", "row", "row", "step_end", "step_error"]);
    expect(lines[2].row).toEqual([{ type: "integer", value: "1" }]);
  });

  it("answers malformed bodies with HTTP 400 text, and a missing token with 401", async () => {
    const res = await fetch(server.url + "/v2/pipeline", { method: "POST", headers: { authorization: `Bearer ${TOKEN}` }, body: "{not json" });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("text/plain");
    const badValue = await pipeline(server, { baton: null, requests: [exec("SELECT ?", { args: [{ type: "integer", value: "99999999999999999999" }] })] });
    expect(badValue.status).toBe(400);
    expect(badValue.body).toMatch(/does not fit in a 64-bit signed integer/);
    const noToken = await pipeline(server, { baton: null, requests: [] }, "/v2/pipeline", null);
    expect(noToken.status).toBe(401);
  });
});
