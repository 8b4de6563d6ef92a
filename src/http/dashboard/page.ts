// The dashboard's HTML shell: landmarks, headings and empty regions the script fills from the JSON
// API (forecast, verification, registry, runs, jobs). Rendered on the server so the page says what
// it is (and whether the clock is a replay) before any script runs. Runtime-agnostic.

import { kstLabel } from "../../time/kst.ts";

export interface PageOptions {
  /** URLs of the bundled script and stylesheet (content-hashed). */
  scriptUrl: string;
  styleUrl: string;
  /** Set when the server's clock is a replay: the frozen "now" (ISO UTC) and why. */
  replay?: { at: string; reason: string } | undefined;
}

/** A thermometer-blue dot, inline (no request; the CSP allows data: images). */
const FAVICON =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Ccircle cx='8' cy='8' r='7' fill='%230b5cad'/%3E%3C/svg%3E";

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const kst = kstLabel;

export function renderPage(o: PageOptions): string {
  const replay = o.replay
    ? `<p class="replay" role="note" id="replay-note"><strong>Replay.</strong> The clock is set to <time datetime="${escapeHtml(o.replay.at)}">${escapeHtml(kst(o.replay.at))}</time>: ${escapeHtml(o.replay.reason)} Forecasts and verification are computed as of that moment.</p>`
    : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>nalssi · 48-hour temperature forecast</title>
<link rel="icon" href="${FAVICON}">
<link rel="stylesheet" href="${escapeHtml(o.styleUrl)}">
<script type="module" src="${escapeHtml(o.scriptUrl)}"></script>
</head>
<body data-clock="${o.replay ? "replay" : "real"}">
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <div class="wrap top-row">
    <p class="brand"><span class="brand-name">nalssi</span> <span lang="ko">날씨</span></p>
    <nav aria-label="Sections">
      <ul>
        <li><a href="#forecast">Forecast</a></li>
        <li><a href="#verification">Verification</a></li>
        <li><a href="#registry">Models</a></li>
        <li><a href="#runs">Training runs</a></li>
        <li><a href="#jobs">Jobs</a></li>
      </ul>
    </nav>
  </div>
</header>
<main id="main" class="wrap" tabindex="-1">
  <h1>48-hour air-temperature forecast</h1>
  <p class="lede">Every hour of the next two days, with 80&nbsp;% and 95&nbsp;% intervals, from Korea Meteorological Administration open data, by LightGBM models that have to beat persistence (&ldquo;later = now&rdquo;) at every lead on hours they never saw. Times are Korea Standard Time (KST, UTC+9).</p>
  ${replay}
  <p id="status" class="status" role="status" aria-live="polite">Loading&hellip;</p>
  <noscript><p class="problem">This dashboard needs JavaScript. The same data is in the JSON API: <a href="/v1/forecast">/v1/forecast</a>, <a href="/v1/verification">/v1/verification</a>, <a href="/v1/models">/v1/models</a>, <a href="/v1/runs">/v1/runs</a>, <a href="/v1/jobs">/v1/jobs</a> (<a href="/docs">docs</a>).</p></noscript>

  <section id="forecast" aria-labelledby="forecast-h">
    <h2 id="forecast-h">Forecast</h2>
    <div id="forecast-cards" class="cards"></div>
  </section>

  <section id="verification" aria-labelledby="verification-h">
    <div class="section-head">
      <h2 id="verification-h">Forecasts against what happened</h2>
      <form id="verification-form" class="controls">
        <label for="v-location">Location</label>
        <select id="v-location" name="location"></select>
        <label for="v-lead">Lead</label>
        <select id="v-lead" name="lead">
          <option value="1">1 h</option>
          <option value="3">3 h</option>
          <option value="6">6 h</option>
          <option value="12">12 h</option>
          <option value="24" selected>24 h</option>
          <option value="36">36 h</option>
          <option value="48">48 h</option>
        </select>
        <label for="v-days">Period</label>
        <select id="v-days" name="days">
          <option value="3">3 days</option>
          <option value="7">7 days</option>
          <option value="14" selected>14 days</option>
          <option value="30">30 days</option>
        </select>
      </form>
    </div>
    <p id="verification-note" class="note"></p>
    <div id="verification-quality"></div>
    <div id="verification-scores"></div>
    <figure class="chart-figure">
      <div id="chart-temp" class="chart" role="img" aria-labelledby="chart-temp-cap"></div>
      <figcaption id="chart-temp-cap">Observed temperature and the forecasts for each hour, issued the chosen lead before it: the model's hindcasts with their 80&nbsp;% and 95&nbsp;% intervals (shaded), persistence, KMA's short-term forecast and the climatology (the seasonal-diurnal mean fitted on training data).</figcaption>
    </figure>
    <figure class="chart-figure">
      <div id="chart-rmse" class="chart" role="img" aria-labelledby="chart-rmse-cap"></div>
      <figcaption id="chart-rmse-cap">Rolling RMSE (°C, lower is better) over the trailing window. The climatology has no rolling RMSE here (the API does not compute one); its RMSE over the period is in the scores table.</figcaption>
    </figure>
    <details id="verification-table" class="data-table">
      <summary>The chart's numbers as a table</summary>
      <div id="verification-table-body"></div>
    </details>
    <h3 id="leads-h">By lead time</h3>
    <p id="lead-note" class="note"></p>
    <div class="lead-charts">
      <figure class="chart-figure">
        <div id="lead-rmse" class="chart" role="img" aria-labelledby="lead-rmse-cap"></div>
        <figcaption id="lead-rmse-cap">RMSE (°C, lower is better) against lead for the model and every baseline: persistence, diurnal persistence (the same clock hour on the last day), climatology and KMA where stored.</figcaption>
      </figure>
      <figure class="chart-figure">
        <div id="lead-coverage" class="chart" role="img" aria-labelledby="lead-coverage-cap"></div>
        <figcaption id="lead-coverage-cap">Share of observations inside the 80&nbsp;% and 95&nbsp;% intervals, against lead; dashed lines at the nominal levels.</figcaption>
      </figure>
    </div>
    <details class="data-table">
      <summary>Scores by lead as a table</summary>
      <div id="lead-table-body"></div>
    </details>
  </section>

  <section id="registry" aria-labelledby="registry-h">
    <h2 id="registry-h">Model registry</h2>
    <div id="registry-body"></div>
  </section>

  <section id="runs" aria-labelledby="runs-h">
    <h2 id="runs-h">Training runs</h2>
    <p class="note">Tick two or more runs to compare their holdout metrics side by side.</p>
    <div id="runs-body"></div>
    <div id="runs-compare" aria-live="polite"></div>
  </section>

  <section id="jobs" aria-labelledby="jobs-h">
    <h2 id="jobs-h">Job history</h2>
    <div id="jobs-body"></div>
    <p id="job-detail" class="job-detail" aria-live="polite"></p>
  </section>
</main>
<footer class="wrap foot">
  <p>nalssi · data: KMA open data (공공데이터포털) and bundled Seoul observations (CC BY 4.0) · <a href="/docs">API docs</a> · <a href="/openapi.json">OpenAPI</a></p>
</footer>
</body>
</html>
`;
}
