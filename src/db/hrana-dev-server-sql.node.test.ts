// The dev server's SQL analysis (statement count, parameter slots), checked against SQLite itself:
// EXPLAIN lists a Variable opcode with the slot number and name for every parameter it binds.
import Database from "libsql";
import { describe, expect, it } from "vitest";
import { analyzeSql } from "../../tools/hrana-dev-server/sql-analysis.ts";

describe("statement count", () => {
  it.each([
    { sql: "", n: 0 },
    { sql: "  -- only a comment", n: 0 },
    { sql: ";;", n: 0 },
    { sql: "SELECT 1", n: 1 },
    { sql: "SELECT 1;;", n: 1 },
    { sql: "SELECT ';' AS a, \"b;\", [c;d], x'3b' /* ; */ -- ;", n: 1 },
    { sql: "SELECT 1; SELECT 2", n: 2 },
    { sql: "CREATE TRIGGER t AFTER INSERT ON a BEGIN INSERT INTO b VALUES (1); UPDATE c SET x = 1; END", n: 1 },
    { sql: "CREATE TEMP TRIGGER t AFTER INSERT ON a BEGIN DELETE FROM b; END; SELECT 1", n: 2 },
    { sql: "EXPLAIN CREATE TRIGGER t AFTER INSERT ON a BEGIN DELETE FROM b; END", n: 1 },
  ])("$sql -> $n", ({ sql, n }) => {
    expect(analyzeSql(sql).statementCount).toBe(n);
  });
});

describe("parameter slots", () => {
  it.each([
    { sql: "SELECT ?, ?", params: [null, null] },
    { sql: "SELECT ?2, ?", params: [null, "?2", null] },
    { sql: "SELECT :a, ?, :a, @b, $c", params: [":a", null, "@b", "$c"] },
    { sql: "SELECT $ns::v(1), $x", params: ["$ns::v(1)", "$x"] },
    { sql: "SELECT '?', \"?\", [?], ? -- ?\n /* :x */", params: [null] },
    { sql: "SELECT a$b, :c", params: [":c"] },
  ])("$sql", ({ sql, params }) => {
    expect(analyzeSql(sql).params).toEqual(params);
  });

  it("agrees with SQLite's own numbering (EXPLAIN Variable opcodes)", () => {
    const db = new Database(":memory:");
    try {
      db.exec("CREATE TABLE t (a, b, c)");
      const cases = [
        "SELECT ?, ?2, ?, :x, @y, $z, :x, ?",
        "INSERT INTO t (a, b, c) VALUES (:a, :b, :c) ON CONFLICT DO NOTHING",
        "UPDATE t SET a = :a WHERE b IS NOT :b AND c = ?5",
        "SELECT * FROM t WHERE a = '?' AND b = ? LIMIT ? OFFSET :off",
        "WITH w(x) AS (SELECT ?1) SELECT x, ?3 FROM w",
      ];
      for (const sql of cases) {
        const ops = db.prepare(`EXPLAIN ${sql}`).all() as { opcode: string; p1: number; p4: string | null }[];
        const ours = analyzeSql(sql).params;
        for (const op of ops.filter((o) => o.opcode === "Variable")) {
          expect([sql, ours[op.p1 - 1]]).toEqual([sql, op.p4 ?? null]);
        }
        const maxSlot = Math.max(0, ...ops.filter((o) => o.opcode === "Variable").map((o) => o.p1));
        expect(ours.length).toBeGreaterThanOrEqual(maxSlot);
      }
    } finally {
      db.close();
    }
  });

  it("recognizes EXPLAIN", () => {
    expect(analyzeSql("explain query plan SELECT 1").isExplain).toBe(true);
    expect(analyzeSql("SELECT 'EXPLAIN'").isExplain).toBe(false);
  });
});
