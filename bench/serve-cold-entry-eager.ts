// bench/cold.bench.ts's "before" variant: the serving entry plus the modules the app used to import at
// startup and now imports on first request (the dashboard page + assets, the docs page).
export * from "./serve-cold-entry.ts";
export { dashboardRoutes } from "../src/http/dashboard/routes.ts";
export { DOCS_HTML } from "../src/http/docs-page.ts";
