// The generated asset module is what `npm run build:dashboard` makes from the client sources now
// (so a client edit without a rebuild fails here), and the whole dashboard — HTML, script,
// stylesheet — stays under 200 KB gzipped (printed).
import { readFile } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { buildDashboardAssets, GENERATED_PATH, generatedModule } from "../../../scripts/build-dashboard.ts";
import { DASHBOARD_CSS, DASHBOARD_JS } from "./assets.generated.ts";
import { DASHBOARD_SCRIPT_URL, DASHBOARD_STYLE_URL } from "./routes.ts";
import { renderPage } from "./page.ts";

const BUDGET_GZIP_BYTES = 200 * 1024;

describe("dashboard assets", () => {
  it("are up to date with the client sources (run `npm run build:dashboard` after editing them)", async () => {
    const fresh = generatedModule(await buildDashboardAssets());
    const committed = await readFile(GENERATED_PATH, "utf8");
    expect(committed === fresh, "src/http/dashboard/assets.generated.ts is stale: run `npm run build:dashboard`").toBe(true);
  });

  it("bundle uPlot and nothing from elsewhere (no CDN, no remote URL in the page)", () => {
    expect(DASHBOARD_JS).toContain("uplot");
    expect(DASHBOARD_CSS).toContain(".uplot");
    const html = renderPage({ scriptUrl: DASHBOARD_SCRIPT_URL, styleUrl: DASHBOARD_STYLE_URL, replay: { at: "2018-11-30T14:00:00.000Z", reason: "test." } });
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(DASHBOARD_JS).not.toMatch(/import\s*\(?\s*["']https?:/);
  });

  it("weigh under 200 KB gzipped in total", () => {
    const html = renderPage({
      scriptUrl: DASHBOARD_SCRIPT_URL,
      styleUrl: DASHBOARD_STYLE_URL,
      replay: { at: "2018-11-30T14:00:00.000Z", reason: "the bundled data ends here." },
    });
    const parts = { html, js: DASHBOARD_JS, css: DASHBOARD_CSS };
    const sizes = Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, { raw: Buffer.byteLength(v), gzip: gzipSync(v, { level: 9 }).length }]));
    const total = Object.values(sizes).reduce((s, x) => s + x.gzip, 0);
    const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
    console.log(
      `dashboard size: ${Object.entries(sizes)
        .map(([k, s]) => `${k} ${kb(s.raw)} (${kb(s.gzip)} gzipped)`)
        .join(", ")}; total ${kb(total)} gzipped of a ${kb(BUDGET_GZIP_BYTES)} budget`,
    );
    expect(total).toBeLessThan(BUDGET_GZIP_BYTES);
  });
});
