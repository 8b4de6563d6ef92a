// Job history as a grid (what Airflow's grid view shows): pipeline runs as columns, their steps as
// rows, each cell a step's status and duration; and the ingest jobs, one row per job with its recent
// runs. Every cell is a button that shows the details below the grid.
import type { IngestRun, Jobs, PipelineRun } from "./api.ts";
import { duration, h, kst, replace, scrollRegion } from "./dom.ts";

const SYMBOL: Record<string, string> = { succeeded: "✓", failed: "✕", running: "…", pending: "○", skipped: "–" };

function cell(status: string, label: string, text: string, detail: () => string, detailEl: HTMLElement): HTMLElement {
  return h(
    "button",
    {
      type: "button",
      class: `cell cell-${status}`,
      "aria-label": label,
      title: label,
      onclick: () => replace(detailEl, detail()),
    },
    h("span", { class: "cell-sym", "aria-hidden": "true" }, SYMBOL[status] ?? "?"),
    h("span", { class: "cell-text", "aria-hidden": "true" }, text),
  );
}

function pipelineGrid(runs: PipelineRun[], detailEl: HTMLElement): HTMLElement {
  if (runs.length === 0) return h("p", { class: "note" }, "No pipeline runs yet.");
  const ordered = [...runs].reverse(); // oldest on the left, as in Airflow
  const steps: string[] = [];
  for (const r of ordered) for (const s of r.steps) if (!steps.includes(s.step)) steps.push(s.step);
  const head = h(
    "tr",
    null,
    h("th", { scope: "col" }, "Step \\ run"),
    ordered.map((r) =>
      h(
        "th",
        { scope: "col", class: "run-head" },
        h("span", { class: `pill pill-${r.status}` }, r.status),
        h("span", { class: "run-date" }, r.runDate),
        h("span", { class: "run-meta" }, `${r.trigger} · ${duration(r.durationMs)}`),
      ),
    ),
  );
  const body = steps.map((step) =>
    h(
      "tr",
      null,
      h("th", { scope: "row" }, step),
      ordered.map((r) => {
        const s = r.steps.find((x) => x.step === step);
        if (!s) return h("td", null, "");
        const label = `${r.pipeline} ${r.runDate} (${kst(r.startedAt)}), ${step}: ${s.status}${s.durationMs !== null ? `, ${duration(s.durationMs)}` : ""}${s.attempts > 1 ? `, ${s.attempts} attempts` : ""}`;
        const detail = () => {
          const extra = s.errorMessage ? ` Error ${s.errorClass ?? ""}: ${s.errorMessage}` : s.output ? ` Output: ${JSON.stringify(s.output)}` : "";
          return `${label}.${extra}`;
        };
        return h("td", null, cell(s.status, label, s.durationMs !== null ? duration(s.durationMs) : "", detail, detailEl));
      }),
    ),
  );
  // The caption is for screen readers; its visible twin sits outside the scrolling region, where it
  // wraps to the screen instead of widening the grid.
  const caption = "Daily training pipeline: runs (oldest to newest) × steps";
  return h(
    "div",
    null,
    h("p", { class: "grid-caption", "aria-hidden": "true" }, caption),
    scrollRegion(
      "Pipeline runs grid",
      h("table", { class: "grid" }, h("caption", { class: "sr-only" }, caption), h("thead", null, head), h("tbody", null, body)),
    ),
  );
}

function ingestGrid(runs: IngestRun[], detailEl: HTMLElement): HTMLElement {
  if (runs.length === 0) return h("p", { class: "note" }, "No ingest runs yet.");
  const byJob = new Map<string, IngestRun[]>();
  for (const r of runs) byJob.set(r.job, [...(byJob.get(r.job) ?? []), r]);
  const width = Math.max(...[...byJob.values()].map((l) => l.length));
  const rows = [...byJob].map(([job, list]) => {
    const ordered = [...list].reverse();
    return h(
      "tr",
      null,
      h("th", { scope: "row" }, job),
      Array.from({ length: width }, (_, i) => {
        const r = ordered[i];
        if (!r) return h("td", null, "");
        const c = r.rows;
        const label = `${job} ${r.locationId ?? ""} run ${r.id} at ${kst(r.startedAt)}: ${r.status}, ${duration(r.durationMs)}, ${c.inserted} inserted, ${c.updated} updated, ${c.skipped} skipped`;
        return h(
          "td",
          null,
          cell(
            r.status,
            label,
            String(c.inserted + c.updated),
            () => `${label}.${r.errorMessage ? ` Error ${r.errorClass}: ${r.errorMessage}` : ""}`,
            detailEl,
          ),
        );
      }),
    );
  });
  const caption = "Ingest and import runs per job (oldest to newest; the number is rows written)";
  return h(
    "div",
    null,
    h("p", { class: "grid-caption", "aria-hidden": "true" }, caption),
    scrollRegion(
      "Ingest runs grid",
      h(
        "table",
        { class: "grid" },
        h("caption", { class: "sr-only" }, caption),
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            h("th", { scope: "col" }, "Job"),
            Array.from({ length: width }, (_, i) => h("th", { scope: "col" }, h("span", { class: "sr-only" }, `run ${i + 1}`))),
          ),
        ),
        h("tbody", null, rows),
      ),
    ),
  );
}

export function jobsView(j: Jobs, detailEl: HTMLElement): HTMLElement {
  return h(
    "div",
    null,
    h(
      "ul",
      { class: "legend", "aria-label": "Status symbols" },
      ["succeeded", "failed", "running", "skipped"].map((s) =>
        h("li", null, h("span", { class: `cell cell-${s} cell-key`, "aria-hidden": "true" }, SYMBOL[s]!), ` ${s}`),
      ),
    ),
    h("h3", null, "Training pipeline"),
    pipelineGrid(j.pipeline_runs, detailEl),
    h("h3", null, "Ingest"),
    ingestGrid(j.ingest_runs, detailEl),
  );
}
