// migrations/*.sql is the source of truth; src/db/migrations.generated.ts must be its exact rendering.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { renderFromDisk } from "../../scripts/gen-migrations.ts";

describe("src/db/migrations.generated.ts", () => {
  it("is up to date with migrations/*.sql (run `node scripts/gen-migrations.ts` after editing them)", async () => {
    const committed = await readFile(new URL("./migrations.generated.ts", import.meta.url), "utf8");
    expect(committed === (await renderFromDisk()), "src/db/migrations.generated.ts is stale: run node scripts/gen-migrations.ts").toBe(true);
  });
});
