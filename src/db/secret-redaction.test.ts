import { describe, expect, it } from "vitest";
import { createClient } from "@libsql/client";
import { REDACTED, scrubSecrets, withSecretsScrubbed } from "./secret-redaction.ts";

describe("secret redaction", () => {
  it("removes a secret from message, stack and causes, keeping the error object", () => {
    const secret = "tok_1234567890";
    const cause = new Error(`inner ${secret}`);
    const e = new TypeError(`outer ${secret}`, { cause });
    expect(scrubSecrets(e, [secret])).toBe(e);
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toBe(`outer ${REDACTED}`);
    expect(e.stack).not.toContain(secret);
    expect((e.cause as Error).message).toBe(`inner ${REDACTED}`);
    expect(scrubSecrets(`text with ${secret}`, [secret])).toBe(`text with ${REDACTED}`);
  });

  it("ignores empty and very short secrets (they would shred ordinary text)", () => {
    const e = new Error("a b c");
    expect(scrubSecrets(e, ["", "a"]).message).toBe("a b c");
  });

  it("wraps a database so that errors from statements and transactions are scrubbed", async () => {
    const secret = "s3cret-value-42";
    const db = withSecretsScrubbed(createClient({ url: ":memory:" }), [secret]);
    try {
      await expect(db.execute(`SELECT * FROM "${secret}"`)).rejects.toThrow(`no such table: ${REDACTED}`);
      await expect(db.batch([`SELECT * FROM "${secret}"`], "read")).rejects.toThrow(REDACTED);
      const tx = await db.transaction("write");
      await expect(tx.execute(`SELECT * FROM "${secret}"`)).rejects.toThrow(REDACTED);
      await tx.rollback();
      expect((await db.execute("SELECT 1 AS one")).rows[0]!.one).toBe(1);
    } finally {
      db.close();
    }
  });
});
