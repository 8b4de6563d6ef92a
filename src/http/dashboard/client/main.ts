// The dashboard: reads the JSON API of the same server and fills the page's regions. Every section
// loads on its own, so one failing answer (e.g. no model yet) does not blank the others.
import { ApiProblem, getJson, type Forecast, type Health, type Jobs, type Models, type Runs, type Verification } from "./api.ts";
import { drawCharts, drawForecastChart, drawLeadCharts, type Charts } from "./charts.ts";
import { byId, h, kst, problem, replace, scrollRegion } from "./dom.ts";
import { forecastCard } from "./forecast.ts";
import { jobsView } from "./jobs.ts";
import { registryView } from "./registry.ts";
import { runsView } from "./runs.ts";
import { hoursTable, leadTable, qualityLine, scoresTable, verificationNote } from "./verification.ts";

let charts: Charts | null = null;
let leadCharts: Charts | null = null;
let forecastCharts: Charts[] = [];

const settle = async <T>(p: Promise<T>): Promise<T | ApiProblem> => {
  try {
    return await p;
  } catch (e) {
    return e instanceof ApiProblem ? e : new ApiProblem(0, "client", (e as Error).message);
  }
};

async function loadForecasts(locations: { id: string; name: string }[], now: number): Promise<void> {
  const results = await Promise.all(locations.map((l) => settle(getJson<Forecast>(`/v1/forecast?location=${encodeURIComponent(l.id)}&timezone=UTC`))));
  const cards = locations.map((l, i) => forecastCard(l.id, l.name, results[i]!, now));
  forecastCharts.forEach((c) => c.destroy());
  replace(
    byId("forecast-cards"),
    cards.map((c) => c.card),
  );
  // Drawn once on the page: uPlot sizes itself from the region's width.
  forecastCharts = cards.flatMap((c) => (c.chart && c.forecast ? [drawForecastChart(c.chart, c.forecast)] : []));
}

async function loadVerification(): Promise<Verification | ApiProblem> {
  const location = byId<HTMLSelectElement>("v-location").value;
  const days = byId<HTMLSelectElement>("v-days").value;
  const lead = byId<HTMLSelectElement>("v-lead").value;
  // A rolling window that fits the period: 24 h for a few days, up to 72 h.
  const rolling = Number(days) <= 3 ? 24 : Number(days) <= 7 ? 48 : 72;
  const v = await settle(
    getJson<Verification>(
      `/v1/verification?location=${encodeURIComponent(location)}&days=${encodeURIComponent(days)}&rolling_hours=${rolling}&lead=${encodeURIComponent(lead)}`,
    ),
  );
  charts?.destroy();
  charts = null;
  const tempEl = byId("chart-temp");
  const rmseEl = byId("chart-rmse");
  const tableEl = byId("verification-table-body");
  leadCharts?.destroy();
  leadCharts = null;
  if (v instanceof ApiProblem) {
    replace(byId("verification-note"), problem(v.message));
    replace(byId("verification-quality"));
    replace(byId("lead-rmse"));
    replace(byId("lead-coverage"));
    replace(byId("lead-table-body"));
    replace(byId("verification-scores"));
    replace(tempEl);
    replace(rmseEl);
    replace(tableEl);
    return v;
  }
  replace(byId("verification-note"), verificationNote(v));
  replace(byId("verification-quality"), qualityLine(v));
  replace(byId("verification-scores"), scoresTable(v));
  replace(byId("lead-rmse"));
  replace(byId("lead-coverage"));
  if (v.by_lead && v.by_lead.leads.length > 0) {
    leadCharts = drawLeadCharts(byId("lead-rmse"), byId("lead-coverage"), v.by_lead.leads);
    replace(byId("lead-note"), `Holdout ${kst(v.by_lead.from)} – ${kst(v.by_lead.to)}: scored when the production version was trained, on hours it never saw.`);
    replace(byId("lead-table-body"), scrollRegion("Scores by lead", leadTable(v.by_lead.leads)));
  } else {
    replace(byId("lead-note"), "The production version has no per-lead holdout scores (it was trained before the 1..48 h models).");
    replace(byId("lead-table-body"));
  }
  replace(tempEl);
  replace(rmseEl);
  if (v.hours.length === 0) {
    replace(tempEl, h("p", { class: "note" }, "No hours to show: the production model was trained on everything before now."));
  } else {
    charts = drawCharts(tempEl, rmseEl, v);
    const s = v.scores;
    tempEl.setAttribute(
      "aria-label",
      `Chart of ${v.hours.length} hours: observed temperature against the model's hindcasts and persistence${s?.model.rmse != null ? `; model RMSE ${s.model.rmse.toFixed(2)} °C, persistence ${s.persistence.rmse?.toFixed(2)} °C` : ""}. The table below has every value.`,
    );
    tempEl.removeAttribute("aria-labelledby");
  }
  replace(tableEl, scrollRegion("Verification table", hoursTable(v)));
  return v;
}

async function loadRegistryAndRuns(): Promise<void> {
  const [models, runs] = await Promise.all([settle(getJson<Models>("/v1/models")), settle(getJson<Runs>("/v1/runs?limit=50"))]);
  replace(byId("registry-body"), models instanceof ApiProblem ? problem(models.message) : registryView(models));
  replace(
    byId("runs-body"),
    runs instanceof ApiProblem
      ? problem(runs.message)
      : runsView(runs.training_runs, models instanceof ApiProblem ? [] : models.versions, byId("runs-compare")),
  );
}

async function loadJobs(): Promise<void> {
  const jobs = await settle(getJson<Jobs>("/v1/jobs?limit=30"));
  replace(byId("jobs-body"), jobs instanceof ApiProblem ? problem(jobs.message) : jobsView(jobs, byId("job-detail")));
}

async function main(): Promise<void> {
  const status = byId("status");
  const health = await settle(getJson<Health>("/healthz", [503]));
  // /healthz answers 503 with the same body when degraded; if it cannot be read, the default location.
  const locations = health instanceof ApiProblem ? [{ id: "seoul", name: "seoul" }] : health.locations.map((l) => ({ id: l.id, name: l.id }));
  const select = byId<HTMLSelectElement>("v-location");
  replace(
    select,
    locations.map((l) => h("option", { value: l.id }, l.name)),
  );
  const form = byId<HTMLFormElement>("verification-form");
  form.addEventListener("submit", (e) => e.preventDefault());
  form.addEventListener("change", () => {
    status.textContent = "Loading verification…";
    void loadVerification().then(() => (status.textContent = "Verification updated."));
  });
  const v = await loadVerification();
  const now = v instanceof ApiProblem ? Date.now() : Date.parse(v.now);
  await Promise.all([loadForecasts(locations, now), loadRegistryAndRuns(), loadJobs()]);
  status.textContent =
    document.body.dataset.clock === "replay"
      ? "Loaded. Forecast and verification times follow the replay clock; training runs, promotions and jobs show when they really happened."
      : `Loaded at ${new Date().toLocaleTimeString("en-GB", { timeZone: "Asia/Seoul", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })} KST.`;
  document.body.dataset.loaded = "true";
}

void main().catch((e: unknown) => {
  byId("status").textContent = `The dashboard failed to load: ${(e as Error).message}`;
  document.body.dataset.loaded = "error";
});
