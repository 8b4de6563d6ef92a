// train/backtest accept configured locations and any location with observations (with a note).
import { createClient, type Client } from "@libsql/client";
import { beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../db/migrate.ts";
import { locationsFromText } from "../locations/configured.ts";
import { UsageError } from "./errors.ts";
import { modelLocations, parseLocationList } from "./model-locations.ts";

describe("modelLocations", () => {
  let db: Client;
  const configured = locationsFromText("seoul,busan", "LOCATIONS");
  beforeAll(async () => {
    db = createClient({ url: ":memory:" });
    await migrate(db);
    await db.execute(
      "INSERT INTO observations (location_id, observed_at, source, temperature_c, ingested_at, updated_at) VALUES ('beijing-dongsi', '2016-01-01T00:00:00Z', 'import', 1.5, '2025-05-01T00:00:00Z', '2025-05-01T00:00:00Z')",
    );
  });

  it("passes configured ids without a note", async () => {
    const notes: string[] = [];
    expect(await modelLocations(db, ["busan", "seoul"], configured, (l) => void notes.push(l))).toEqual(["busan", "seoul"]);
    expect(notes).toEqual([]);
  });

  it("passes an unconfigured id with observations, with one note", async () => {
    const notes: string[] = [];
    expect(await modelLocations(db, ["seoul", "beijing-dongsi"], configured, (l) => void notes.push(l))).toEqual(["seoul", "beijing-dongsi"]);
    expect(notes).toEqual([
      "nalssi: note: beijing-dongsi is not configured; modelling its observations from the database (serving answers only for configured locations)",
    ]);
  });

  it("refuses an id neither configured nor in the database, with close matches", async () => {
    const e = await modelLocations(db, ["beijing-dongs"], configured, () => {}).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toBe(
      "--location: beijing-dongs (did you mean beijing-dongsi?): not a configured location and no observations in the database (configured: seoul, busan; with data: beijing-dongsi)",
    );
  });

  it("parses comma lists and refuses empty parts", () => {
    expect(parseLocationList(" seoul, busan ,seoul")).toEqual(["seoul", "busan"]);
    expect(() => parseLocationList("seoul,,busan")).toThrow('--location must be location ids separated by commas, got "seoul,,busan"');
  });
});
