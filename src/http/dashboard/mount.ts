// One call mounts the dashboard and its data endpoint on the API app (src/http/app.ts):
// GET /dashboard (+ its assets) and GET /v1/verification.
import type { Api, ApiDeps } from "../api-deps.ts";
import { registerVerification } from "../verification-routes.ts";
import { dashboardRoutes } from "./routes.ts";

export function mountDashboard(app: Api, deps: ApiDeps): void {
  registerVerification(app, deps);
  app.route("/", dashboardRoutes(deps));
}
