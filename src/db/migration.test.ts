// The migration list itself: ids, order, forbidden statements and checksums (no database needed).
import { describe, expect, it } from "vitest";
import { findForbiddenStatement, prepareMigrations, sha256Hex, sqlSkeleton, validateMigrationSources } from "./migration.ts";
import { InvalidMigrationError } from "./migration-errors.ts";
import { migrationSourcesFromFiles, renderMigrationsModule } from "./migrations-module.ts";
import { MIGRATIONS } from "./migrations.generated.ts";

describe("migration list", () => {
  it("ships 0001 first, valid, with a stable SHA-256 checksum", async () => {
    expect(MIGRATIONS[0]!.id).toBe("0001_observations_forecasts_ingest");
    expect(() => validateMigrationSources(MIGRATIONS)).not.toThrow();
    expect(await sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(await sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(await sha256Hex("서울")).toBe("ca6c419327ce5a9d7e624ccac8219f676ea74b4c3cd58c6032ed39a8536aca67"); // UTF-8 bytes
    const [m] = await prepareMigrations(MIGRATIONS.slice(0, 1));
    expect(m!.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    { ids: ["1_a"], problem: /malformed/ },
    { ids: ["0001_A"], problem: /malformed/ },
    { ids: ["0001_a__b"], problem: /malformed/ },
    { ids: ["0002_b", "0001_a"], problem: /higher number/ },
    { ids: ["0001_a", "0001_b"], problem: /higher number/ },
  ])("refuses ids $ids", ({ ids, problem }) => {
    expect(() => validateMigrationSources(ids.map((id) => ({ id, sql: "SELECT 1;" })))).toThrow(problem);
  });

  it("refuses empty SQL and SQL whose comment or string never ends", () => {
    for (const sql of ["", " -- nothing\n ; ", "CREATE TABLE a (x); /* forgot to close", "INSERT INTO a VALUES ('oops);"]) {
      expect(() => validateMigrationSources([{ id: "0001_a", sql }])).toThrow(InvalidMigrationError);
    }
  });
});

describe("forbidden statements (the runner owns the transaction)", () => {
  it.each([
    "BEGIN;",
    "begin immediate transaction;",
    "COMMIT;",
    "END TRANSACTION;",
    "END;",
    "ROLLBACK;",
    "SAVEPOINT s1;",
    "RELEASE s1;",
    "VACUUM;",
    "PRAGMA foreign_keys = OFF;",
    "PRAGMA main.journal_mode = DELETE;",
  ])("finds %j", (stmt) => {
    expect(findForbiddenStatement(`CREATE TABLE a (x INTEGER);\n${stmt}\nCREATE TABLE b (x INTEGER);`)).toBeDefined();
  });

  it("allows triggers with BEGIN ... END, RAISE(ROLLBACK) and keywords inside comments and strings", () => {
    const sql = `-- COMMIT; in a comment
CREATE TRIGGER t BEFORE INSERT ON a BEGIN
  SELECT RAISE(ROLLBACK, 'no; COMMIT;');
  INSERT INTO b VALUES ('END;');
END;
/* BEGIN; */ INSERT INTO a VALUES ('VACUUM;');
PRAGMA user_version = 2;`;
    expect(findForbiddenStatement(sql)).toBeUndefined();
    expect(findForbiddenStatement(MIGRATIONS[0]!.sql)).toBeUndefined();
  });

  it("blanks comments and literals but keeps statement boundaries", () => {
    expect(sqlSkeleton("SELECT 'a;b' -- c;d\n; SELECT \"x;y\"").text.split(";")).toHaveLength(2);
  });
});

describe("generated module", () => {
  it("renders the SQL so that it round-trips exactly (backticks, ${, backslashes, CRLF)", async () => {
    const tricky = "CREATE TABLE `t` (x TEXT DEFAULT '${not_interpolated}' CHECK (x NOT GLOB '*\\\\*'));\r\n-- done\r\n";
    const sources = migrationSourcesFromFiles([
      { name: "README.md", text: "not a migration" },
      { name: "0002_b.sql", text: "SELECT 2;" },
      { name: "0001_a.sql", text: tricky },
    ]);
    expect(sources.map((s) => s.id)).toEqual(["0001_a", "0002_b"]);
    expect(sources[0]!.sql).toBe(tricky.replace(/\r\n/g, "\n"));
    const code = renderMigrationsModule(sources);
    const literal = /sql: (`(?:[^`\\]|\\.)*`)/.exec(code)![1]!;
    // Evaluate the template literal the way a module would.
    const evaluated = new Function(`return ${literal};`)() as string;
    expect(evaluated).toBe(sources[0]!.sql);
  });
});
