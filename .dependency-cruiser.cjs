// Import boundaries (issue 12), checked by `npm run check:boundaries` in `npm test`.
//
// "Core" is everything in src/ except src/adapters/** (one folder per runtime) and src/cli/** (the Node/Deno
// command line); src/http (the Hono app served by Workers, Node and Deno) is core. The core runs unchanged on
// Workers, Node and Deno, so it imports no runtime module. What an import check cannot see: runtime GLOBALS
// (`Deno.*`, `process.*`, `Buffer`, `caches`, ...) are not imports; tsc's `types` and code review guard those.
//
// Tests: `x.test.ts` runs in Node and Deno, so it imports no Node built-in; `x.node.test.ts` runs in Node only and
// may; `x.workerd.test.ts` runs inside workerd and alone may import cloudflare:*. Two deliberate exceptions: tests
// and their helpers may open an in-memory database with @libsql/client's native entry (Node and Deno both load it),
// and the Node adapter's own `x.test.ts` may use node:* (that code is the node:* API Deno runs too).
// Tests (and the test helpers next to them) may import the shared fixtures, mocks and global-setup context in
// test/, and use an adapter; Node-only tests may import scripts/ (to check a generated file against its
// generator). Production files import none of test/, bench/, scripts/, research/.
//
// Known violations (in code other branches are rewriting) are listed in .dependency-cruiser-known-violations.json
// and ignored (`--ignore-known`); delete an entry when its violation is fixed. Regenerate the list with
//   npx depcruise src bench scripts test tools --config .dependency-cruiser.cjs --output-type baseline --output-to .dependency-cruiser-known-violations.json
const TEST = "\\.test\\.ts$";
const NODE_TEST = "\\.node\\.test\\.ts$";
const WORKERD_TEST = "\\.workerd\\.test\\.ts$";
// Test-only helpers that live next to the code (fixtures, fakes, shared cases and contracts).
const TEST_HELPER = "^src/(.*/testing/|.*/fixtures/|.*\\.cases\\.ts$|.*\\.contract\\.ts$|.*-fixtures\\.ts$|.*/test-fakes\\.ts$)";
// src/model/lightgbm-wasm/build/ is not core either: it is the wasm build tool (Node, `npm run build:lightgbm-wasm`).
const CORE = "^src/(?!adapters/|cli/|model/lightgbm-wasm/build/)";
// The Node adapter's code is the node:* API that Deno also runs (`deno task start`), so its runtime-agnostic tests
// (run by Node and Deno) may use node:* too.
const NODE_API_TESTED_IN_DENO = "^src/adapters/node/";
// The runtimes' own modules (Node's built-ins, `node:x` or bare `x`, are matched by dependency type "core", as
// dependency-cruiser resolves them). `@libsql/client`'s main entry loads the native libsql binding (Node); the core
// uses `@libsql/client/web` (fetch/WebSocket) or type-only imports, which are erased.
const RUNTIME_MODULES = ["^cloudflare:", "^bun:", "^node_modules/@libsql/client/lib-(esm|cjs)/node\\.", "^node_modules/libsql/"];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "core-imports-node",
      comment: "The core (src/ minus adapters/ and cli/) and its runtime-agnostic tests import no Node built-in: put runtime code in src/adapters/<runtime>/.",
      severity: "error",
      from: { path: CORE, pathNot: [NODE_TEST, WORKERD_TEST] },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "core-imports-runtime",
      comment:
        "The core imports no runtime module: put runtime code in src/adapters/<runtime>/. (Tests and their helpers may open an in-memory database with @libsql/client's native entry, which Node and Deno both load.)",
      severity: "error",
      from: { path: CORE, pathNot: [TEST, TEST_HELPER] },
      to: { dependencyTypesNot: ["type-only"], path: RUNTIME_MODULES },
    },
    {
      name: "core-imports-adapter-or-cli",
      comment: "Dependencies point inward: adapters and the CLI use the core, never the reverse (that would drag a runtime in). Tests may use an adapter.",
      severity: "error",
      from: { path: CORE, pathNot: [TEST, TEST_HELPER] },
      to: { dependencyTypesNot: ["type-only"], path: "^src/(adapters|cli)/" },
    },
    {
      name: "test-imports-node-outside-node-test",
      comment: "Only `*.node.test.ts` may import node:* (the other tests also run in Deno and workerd).",
      severity: "error",
      from: { path: TEST, pathNot: [NODE_TEST, NODE_API_TESTED_IN_DENO] },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "test-imports-cloudflare-outside-workerd-test",
      comment: "Only `*.workerd.test.ts` may import cloudflare:* (it runs inside workerd).",
      severity: "error",
      from: { path: TEST, pathNot: WORKERD_TEST },
      to: { dependencyTypesNot: ["type-only"], path: "^cloudflare:" },
    },
    {
      name: "serving-imports-jobs",
      comment: "Serving reads what the jobs wrote (through db/, registry/, model/), but never imports the jobs. Its tests may (to train a real model).",
      severity: "error",
      from: { path: "^src/serving/", pathNot: [TEST, TEST_HELPER] },
      to: { path: "^src/jobs/" },
    },
    {
      name: "adapter-imports-other-adapter",
      comment: "Each runtime's adapter stands alone: src/adapters/<a> never imports src/adapters/<b>.",
      severity: "error",
      from: { path: "^src/adapters/([^/]+)/" },
      to: { path: "^src/adapters/", pathNot: "^src/adapters/$1/" },
    },
    {
      name: "src-imports-dev-folders",
      comment: "Product code never imports bench/, scripts/, research/ or test/.",
      severity: "error",
      from: { path: "^src/", pathNot: [TEST, TEST_HELPER] },
      to: { path: "^(bench|scripts|research|test)/" },
    },
    {
      name: "test-imports-bench-research-or-scripts",
      comment: "Tests may use test/ (fixtures, mocks), and Node-only tests scripts/ (generators); never bench/ or research/.",
      severity: "error",
      from: { path: ["^src/.*" + TEST, TEST_HELPER], pathNot: NODE_TEST },
      to: { path: "^(bench|research|scripts)/" },
    },
    {
      name: "no-circular",
      comment: "Circular imports make load order matter and hide which module owns what.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: ["^src/model/lightgbm-wasm/dist/", "\\.generated\\.ts$", "worker-configuration\\.d\\.ts$"] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      mainFields: ["module", "main", "types", "typings"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
