// The dashboard as a Hono sub-app, the same on Workers, Node and Deno: GET /dashboard (the HTML
// shell, src/http/dashboard/page.ts) and its two bundled assets under content-hashed URLs (from the
// generated module: no file system, no CDN). The page reads the JSON API of the same origin.
import { Hono } from "hono";
import type { Clock } from "../../ports/clock.ts";
import { isReplayClock } from "../../time/replay-clock.ts";
import { DASHBOARD_CSS, DASHBOARD_CSS_HASH, DASHBOARD_JS, DASHBOARD_JS_HASH } from "./assets.generated.ts";
import { renderPage } from "./page.ts";

export const DASHBOARD_PATH = "/dashboard";
export const DASHBOARD_SCRIPT_URL = `${DASHBOARD_PATH}/assets/app.${DASHBOARD_JS_HASH}.js`;
export const DASHBOARD_STYLE_URL = `${DASHBOARD_PATH}/assets/app.${DASHBOARD_CSS_HASH}.css`;

/** Scripts and styles only from this origin; data only from this origin; no frames, forms or plugins. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const IMMUTABLE = "public, max-age=31536000, immutable";

export function dashboardRoutes(deps: { clock: Clock }): Hono {
  const app = new Hono();
  const html = () =>
    renderPage({
      scriptUrl: DASHBOARD_SCRIPT_URL,
      styleUrl: DASHBOARD_STYLE_URL,
      replay: isReplayClock(deps.clock) ? deps.clock.replay : undefined,
    });
  const pageHeaders = {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-cache",
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
  };
  app.get(DASHBOARD_PATH, (c) => c.body(html(), 200, pageHeaders));
  app.get(`${DASHBOARD_PATH}/`, (c) => c.body(html(), 200, pageHeaders));
  app.get(DASHBOARD_SCRIPT_URL, (c) =>
    c.body(DASHBOARD_JS, 200, { "content-type": "text/javascript; charset=utf-8", "cache-control": IMMUTABLE, "x-content-type-options": "nosniff" }),
  );
  app.get(DASHBOARD_STYLE_URL, (c) =>
    c.body(DASHBOARD_CSS, 200, { "content-type": "text/css; charset=utf-8", "cache-control": IMMUTABLE, "x-content-type-options": "nosniff" }),
  );
  return app;
}
