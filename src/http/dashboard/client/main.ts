// The dashboard: reads the JSON API of the same server and fills the page's regions. Every section
// loads on its own, so one failing answer (e.g. no model yet) does not blank the others.
import { ApiProblem, getJson, type Forecast, type Health, type Jobs, type Models, type Runs, type Verification } from "./api.ts";
import { drawCharts, type Charts } from "./charts.ts";
import { byId, h, problem, replace, scrollRegion } from "./dom.ts";
import { forecastCard } from "./forecast.ts";
import { jobsView } from "./jobs.ts";
import { registryView } from "./registry.ts";
import { runsView } from "./runs.ts";
import { hoursTable, scoresTable, verificationNote } from "./verification.ts";

let charts: Charts | null = null;

const settle = async <T>(p: Promise<T>): Promise<T | ApiProblem> => {
  try {
    return await p;
  } catch (e) {
    return e instanceof ApiProblem ? e : new ApiProblem(0, "client", (e as Error).message);
  }
};

async function loadForecasts(locations: { id: string; name: string }[], now: number): Promise<void> {
  const results = await Promise.all(locations.map((l) => settle(getJson<Forecast>(`/v1/forecast?location=${encodeURIComponent(l.id)}`))));
  replace(byId("forecast-cards"), locations.map((l, i) => forecastCard(l.id, l.name, results[i]!, now)));
}

async function loadVerification(): Promise<Verification | ApiProblem> {
  const location = byId<HTMLSelectElement>("v-location").value;
  const days = byId<HTMLSelectElement>("v-days").value;
  // A rolling window that fits the period: 24 h for a few days, up to 72 h.
  const rolling = Number(days) <= 3 ? 24 : Number(days) <= 7 ? 48 : 72;
  const v = await settle(getJson<Verification>(`/v1/verification?location=${encodeURIComponent(location)}&days=${encodeURIComponent(days)}&rolling_hours=${rolling}`));
  charts?.destroy();
  charts = null;
  const tempEl = byId("chart-temp");
  const rmseEl = byId("chart-rmse");
  const tableEl = byId("verification-table-body");
  if (v instanceof ApiProblem) {
    replace(byId("verification-note"), problem(v.message));
    replace(byId("verification-scores"));
    replace(tempEl);
    replace(rmseEl);
    replace(tableEl);
    return v;
  }
  replace(byId("verification-note"), verificationNote(v));
  replace(byId("verification-scores"), scoresTable(v));
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
    runs instanceof ApiProblem ? problem(runs.message) : runsView(runs.training_runs, models instanceof ApiProblem ? [] : models.versions, byId("runs-compare")),
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
  replace(select, locations.map((l) => h("option", { value: l.id }, l.name)));
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
