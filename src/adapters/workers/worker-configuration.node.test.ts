// worker-configuration.d.ts (the Worker's generated Env, WranglerEnv) must be exactly what
// `npm run types:worker` (wrangler types) makes from wrangler.toml today: regenerated next to it
// under a temporary name and compared.
import { spawnSync } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import pkg from "../../../package.json" with { type: "json" };

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const COMMITTED = "src/adapters/workers/worker-configuration.d.ts";

describe("worker-configuration.d.ts", () => {
  it("is up to date with wrangler.toml (run `npm run types:worker` after editing it)", async () => {
    const script = pkg.scripts["types:worker"];
    expect(script).toContain(COMMITTED);
    const temp = `src/adapters/workers/.worker-configuration.${process.pid}.check.d.ts`;
    try {
      const args = script
        .replace(/^wrangler /, "")
        .replace(COMMITTED, temp)
        .split(" ");
      const r = spawnSync(process.execPath, [`${ROOT}node_modules/wrangler/bin/wrangler.js`, ...args], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
      });
      expect(r.status, r.stderr).toBe(0);
      const fresh = (await readFile(ROOT + temp, "utf8")).replace(temp, COMMITTED);
      const committed = await readFile(ROOT + COMMITTED, "utf8");
      expect(committed === fresh, `${COMMITTED} is stale: run npm run types:worker`).toBe(true);
    } finally {
      await rm(ROOT + temp, { force: true });
    }
  });
});
