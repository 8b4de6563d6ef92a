// One call mounts the dashboard and its data endpoint on the API app (src/http/app.ts):
// GET /dashboard (+ its assets) and GET /v1/verification.
// The page and its ~85 KB of bundled assets (routes.ts, assets.generated.ts) are imported on the first
// /dashboard request, not at startup: the forecast and predict paths never load them (cold start).
import type { Hono } from "hono";
import type { Api, ApiDeps } from "../api-deps.ts";
import { registerVerification } from "../verification-routes.ts";

export function mountDashboard(app: Api, deps: ApiDeps): void {
  registerVerification(app, deps);
  let routes: Promise<Hono> | null = null;
  const dashboard = () => (routes ??= import("./routes.ts").then((m) => m.dashboardRoutes(deps)));
  const serve = async (c: { req: { raw: Request } }) => (await dashboard()).fetch(c.req.raw);
  app.get("/dashboard", serve);
  app.get("/dashboard/*", serve);
}
