// The ranges the jobs check before writing are exactly the schema's CHECK constraints: each bound is
// accepted by both, and a value just outside is refused by both.
import { describe, expect, it } from "vitest";
import { OBSERVATION_FIELDS } from "../db/observations.ts";
import { OBSERVATION_RANGES, observationValueProblem } from "./observation-ranges.ts";
import { migratedMemoryDb } from "./test-fakes.ts";

describe("observation ranges", () => {
  it("covers every observation column", () => {
    expect(Object.keys(OBSERVATION_RANGES).sort()).toEqual([...OBSERVATION_FIELDS].sort());
  });

  it("matches the database's CHECK constraints at every bound", async () => {
    const db = await migratedMemoryDb();
    let hour = Date.UTC(2025, 0, 1);
    const insert = async (field: string, value: number) => {
      hour += 3_600_000;
      const at = new Date(hour).toISOString().replace(".000Z", "Z");
      return db
        .execute({
          sql: `INSERT INTO observations (location_id, observed_at, source, ${field}, ingested_at, updated_at) VALUES ('seoul', ?, 'import', ?, ?, ?)`,
          args: [at, value, at, at],
        })
        .then(() => true)
        .catch(() => false);
    };
    for (const field of OBSERVATION_FIELDS) {
      const { min, max, integer } = OBSERVATION_RANGES[field];
      const step = integer ? 1 : 0.001;
      for (const [value, ok] of [
        [min, true],
        [max, true],
        [min - step, false],
        [max + step, false],
      ] as const) {
        expect([field, value, observationValueProblem(field, value) === undefined]).toEqual([field, value, ok]);
        expect([field, value, await insert(field, value)]).toEqual([field, value, ok]);
      }
    }
  });
});
