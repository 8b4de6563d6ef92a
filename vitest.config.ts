import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Two projects: `node` runs every runtime-agnostic test and the Node-only ones; `workerd` runs the
// `*.workerd.test.ts` files inside the Workers runtime with the bindings from wrangler.toml.
// (Deno runs the runtime-agnostic `*.test.ts` files itself: `npm run test:deno`.)
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          include: ["src/**/*.test.ts", "test/**/*.test.ts", "bench/**/*.test.ts", "research/**/*.test.ts"],
          exclude: ["**/*.workerd.test.ts", "**/node_modules/**"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The Worker's own LIBSQL_URL points at the jobs' dev server, so code that reads env itself
        // (a Workflows instance started by the daily cron) reaches the test database too.
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: { LIBSQL_URL: inject<string>("jobsDbUrl"), LIBSQL_AUTH_TOKEN: inject<string>("jobsDbToken") } },
          })),
        ],
        test: {
          name: "workerd",
          include: ["src/**/*.workerd.test.ts"],
          testTimeout: 60_000,
          // A Hrana dev server on a fresh database file, for tests of the Worker's libSQL path
          // (its URL and token arrive in the tests through inject()); and, for the scheduled
          // ingest, the KMA mock plus a second dev server on a database of its own.
          globalSetup: ["./tools/hrana-dev-server/vitest-global-setup.ts", "./test/jobs/vitest-global-setup.ts"],
        },
      },
    ],
  },
});
