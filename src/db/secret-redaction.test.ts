import { describe, expect, it } from "vitest";
import { createClient } from "@libsql/client";
import { REDACTED } from "../secrets/redact.ts";
import { withSecretsScrubbed } from "./secret-redaction.ts";

describe("secret redaction", () => {
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
