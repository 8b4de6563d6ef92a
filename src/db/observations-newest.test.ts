// The one "newest observation" read (newestObservedAt), against a migrated in-memory libSQL.
import { describe, expect, it } from "vitest";
import { openMigratedMemoryDb } from "../tracking/testing/seed.ts";
import { newestObservedAt, observationUpsert, type ObservationRow } from "./observations.ts";

describe("newestObservedAt", () => {
  it("is the newest hour with a temperature, per location, optionally strictly before an instant", async () => {
    const db = await openMigratedMemoryDb();
    try {
      const now = new Date("2025-06-01T00:00:00Z");
      const rows: ObservationRow[] = [
        { locationId: "seoul", observedAt: "2025-05-29T10:00:00Z", source: "import", values: { temperature_c: 20 } },
        { locationId: "seoul", observedAt: "2025-05-29T12:00:00Z", source: "asos", values: { temperature_c: 21 } },
        // newer, but without a temperature
        { locationId: "seoul", observedAt: "2025-05-29T13:00:00Z", source: "asos", values: { humidity_pct: 50 } },
        { locationId: "busan", observedAt: "2025-05-30T00:00:00Z", source: "asos", values: { temperature_c: 25 } },
      ];
      for (const r of rows) {
        const u = observationUpsert(r, now);
        await db.execute(u.insert);
      }
      expect(await newestObservedAt(db, "seoul")).toBe("2025-05-29T12:00:00Z");
      expect(await newestObservedAt(db, "seoul", new Date("2025-05-29T12:00:00Z"))).toBe("2025-05-29T10:00:00Z");
      expect(await newestObservedAt(db, "seoul", new Date("2025-05-29T10:00:00Z"))).toBeNull();
      expect(await newestObservedAt(db, "busan")).toBe("2025-05-30T00:00:00Z");
      expect(await newestObservedAt(db, "daegu")).toBeNull();
    } finally {
      db.close();
    }
  });
});
