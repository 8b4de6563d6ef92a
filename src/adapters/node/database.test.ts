// The Node/Deno database adapter: embedded file in WAL mode with a busy timeout, or a remote URL.
import { afterEach, describe, expect, it } from "vitest";
import { DatabaseConfigError, openNodeDatabase, removeEmbeddedDatabase } from "./database.ts";
import type { OpenedDatabase } from "./database.ts";

const opened: OpenedDatabase[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const o of opened.splice(0)) o.db.close();
  for (const d of dirs.splice(0)) await removeEmbeddedDatabase(d);
});

async function open(options: Parameters<typeof openNodeDatabase>[0]): Promise<OpenedDatabase> {
  const o = await openNodeDatabase(options);
  opened.push(o);
  return o;
}

describe("openNodeDatabase", () => {
  it("opens <dataDir>/nalssi.db (creating the folder) in WAL mode with the busy timeout", async () => {
    const parent = `/tmp/nalssi-adapter-${crypto.randomUUID()}`;
    const dataDir = `${parent}/nested`;
    dirs.push(dataDir, parent); // removed in this order (each only if it is then empty)
    const o = await open({ dataDir, env: {}, busyTimeoutMs: 1234 });
    expect(o.kind).toBe("file");
    expect(o.location).toBe(`${dataDir}/nalssi.db`);
    expect((await o.db.execute("PRAGMA journal_mode")).rows[0]!.journal_mode).toBe("wal");
    expect((await o.db.execute("PRAGMA busy_timeout")).rows[0]!.timeout).toBe(1234);
    await o.db.execute("CREATE TABLE t (x INTEGER)");
    // A second opener sees the same file (and WAL is already on).
    const again = await open({ dataDir, env: {} });
    expect((await again.db.execute("SELECT count(*) AS n FROM sqlite_master WHERE name = 't'")).rows[0]!.n).toBe(1);
    expect((await again.db.execute("PRAGMA busy_timeout")).rows[0]!.timeout).toBe(5000);
  });

  it("prefers LIBSQL_URL over the data folder and reports the URL without credentials", async () => {
    const o = await open({ dataDir: "/tmp/never-created", env: { LIBSQL_URL: "libsql://nalssi-example.turso.io", LIBSQL_AUTH_TOKEN: "eyJ.secret.token" } });
    expect(o.kind).toBe("remote");
    expect(o.location).toBe("libsql://nalssi-example.turso.io");
    expect(o.location).not.toContain("secret");
  });

  it("refuses configurations it cannot use, without echoing credentials", async () => {
    await expect(openNodeDatabase({ env: {} })).rejects.toThrow(/no database configured/);
    await expect(openNodeDatabase({ env: { LIBSQL_URL: "ftp://example.com/db" } })).rejects.toThrow(/must be a libsql:, https:, http:, wss: or ws: URL/);
    await expect(openNodeDatabase({ env: { LIBSQL_URL: "not a url" } })).rejects.toBeInstanceOf(DatabaseConfigError);
    for (const url of ["https://db.example.com/?authToken=tok-in-url-999", "https://user:pw-in-url-999@db.example.com"]) {
      const e = (await openNodeDatabase({ env: { LIBSQL_URL: url } }).catch((x: unknown) => x)) as Error;
      expect(e).toBeInstanceOf(DatabaseConfigError);
      expect(e.message).toMatch(/must not carry credentials/);
      expect(e.message).not.toContain("999");
    }
    await expect(openNodeDatabase({ dataDir: "/tmp/x", env: {}, busyTimeoutMs: -1 })).rejects.toThrow(/busy timeout/);
  });
});

describe("the embedded file moved, deleted or replaced while open", () => {
  it("answers DatabaseUnavailableError without creating a file, recovers when it is back, reopens on a restored copy", async () => {
    const { rename, copyFile, writeFile, stat } = await import("node:fs/promises");
    const { DatabaseUnavailableError } = await import("../../ports/database.ts");
    const dataDir = `/tmp/nalssi-adapter-${crypto.randomUUID()}`;
    dirs.push(dataDir);
    const o = await open({ dataDir, env: {} });
    await o.db.execute("CREATE TABLE t (x INTEGER)");
    await o.db.execute("INSERT INTO t VALUES (1)");
    const aside = `${dataDir}/aside.db`;
    await rename(o.location, aside);
    for (let i = 0; i < 3; i++) await expect(o.db.execute("SELECT x FROM t")).rejects.toBeInstanceOf(DatabaseUnavailableError);
    await expect(o.db.batch(["SELECT 1"], "read")).rejects.toThrow(/nalssi\.db is missing/);
    await expect(stat(o.location)).rejects.toThrow(/ENOENT/); // never an empty database in its place
    await writeFile(o.location, ""); // what the old code left: a 0-byte file
    await expect(o.db.execute("SELECT x FROM t")).rejects.toThrow(/replaced by an empty file/);
    await rename(aside, o.location); // put back
    expect((await o.db.execute("SELECT x FROM t")).rows[0]!.x).toBe(1);
    // replaced by a copy with other content (a restore): reopened on it
    await o.db.execute("INSERT INTO t VALUES (2)");
    await o.db.execute("PRAGMA wal_checkpoint(TRUNCATE)");
    await copyFile(o.location, aside);
    await rename(aside, o.location);
    expect((await o.db.execute("SELECT count(*) AS n FROM t")).rows[0]!.n).toBe(2);
    await o.db.execute("INSERT INTO t VALUES (3)");
    expect((await o.db.execute("SELECT count(*) AS n FROM t")).rows[0]!.n).toBe(3);
  });
});
