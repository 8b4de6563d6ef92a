// Training runs (what MLflow's runs table shows) with a side-by-side comparison of the runs ticked:
// holdout metrics from the registry where the run registered a version, else the run's own.
import type { ModelVersion, RunSummary } from "./api.ts";
import { duration, h, kst, num, pct, replace, table, time } from "./dom.ts";

interface Metric {
  label: string;
  get(r: RunSummary, v: ModelVersion | undefined): number | null;
  digits: number;
  /** Which value is best: lower or higher; none = not ranked. */
  better?: "lower" | "higher";
  format?: (x: number | null) => string;
}

const METRICS: Metric[] = [
  { label: "RMSE (°C)", get: (r, v) => v?.holdout.rmse ?? r.rmse, digits: 3, better: "lower" },
  { label: "MAE (°C)", get: (_r, v) => v?.holdout.mae ?? null, digits: 3, better: "lower" },
  { label: "Persistence RMSE (°C)", get: (r, v) => v?.holdout.persistenceRmse ?? r.persistenceRmse, digits: 3 },
  { label: "Climatology RMSE (°C)", get: (_r, v) => v?.holdout.climatologyRmse ?? null, digits: 3 },
  { label: "KMA RMSE (°C)", get: (_r, v) => v?.holdout.kmaRmse ?? null, digits: 3 },
  { label: "Skill vs persistence", get: (r, v) => v?.holdout.skill ?? r.skill, digits: 3, better: "higher", format: pct },
  { label: "Holdout hours (n)", get: (_r, v) => v?.holdout.n ?? null, digits: 0 },
  { label: "Training time", get: (r) => r.durationMs, digits: 0, format: duration },
];

function compareTable(runs: RunSummary[], versions: Map<string, ModelVersion>): HTMLElement {
  const rows = METRICS.map((m) => {
    const values = runs.map((r) => m.get(r, versions.get(r.id)));
    const finite = values.filter((x): x is number => x !== null && Number.isFinite(x));
    const best = m.better && finite.length > 1 ? (m.better === "lower" ? Math.min(...finite) : Math.max(...finite)) : null;
    return [
      m.label,
      ...values.map((x) => {
        const text = m.format ? m.format(x) : num(x, m.digits);
        return x !== null && x === best ? h("strong", { class: "best" }, text, h("span", { class: "sr-only" }, " (best)")) : text;
      }),
    ];
  });
  const windows = runs.map((r) => {
    const v = versions.get(r.id);
    return v ? `${kst(v.holdout.from)} – ${kst(v.holdout.to)}` : "–";
  });
  rows.push(["Holdout window", ...windows]);
  rows.push(["Registered version", ...runs.map((r) => (versions.get(r.id) ? h("code", null, versions.get(r.id)!.version) : "not registered"))]);
  return table(
    "Side-by-side comparison (best value in bold; runs scored on different holdout windows are not strictly comparable)",
    ["Metric", ...runs.map((r) => h("code", null, r.id))],
    rows,
    {
      numeric: runs.map((_, i) => i + 1),
      className: "compare",
    },
  );
}

export function runsView(list: RunSummary[], versionList: ModelVersion[], compareEl: HTMLElement): HTMLElement {
  if (list.length === 0) {
    replace(compareEl);
    return h("p", { class: "note" }, "No training runs yet.");
  }
  const versions = new Map(versionList.map((v) => [v.runId, v]));
  // The two newest successful runs start ticked, when there are two: a lone run is never pre-ticked.
  const succeeded = list.filter((r) => r.status === "succeeded");
  const selected = new Set(succeeded.length >= 2 ? succeeded.slice(0, 2).map((r) => r.id) : []);
  const update = () => {
    const runs = list.filter((r) => selected.has(r.id));
    replace(
      compareEl,
      runs.length >= 2
        ? compareTable(runs, versions)
        : h(
            "p",
            { class: "note" },
            list.length < 2
              ? [
                  "Only one run so far. Train another to compare, e.g. with a 7-day holdout: ",
                  h("code", null, "npx nalssi train --date 2018-12-01 --holdout-days 7"),
                ]
              : "Tick at least two runs to compare them.",
          ),
    );
  };
  const view = table(
    "Training runs, newest first",
    ["Compare", "Run", "Status", "Started", "Duration", "RMSE", "Persistence", "Skill"],
    list.map((r) => [
      h("input", {
        type: "checkbox",
        "aria-label": `Compare run ${r.id}`,
        checked: selected.has(r.id),
        onchange: (e: Event) => {
          if ((e.target as HTMLInputElement).checked) selected.add(r.id);
          else selected.delete(r.id);
          update();
        },
      }),
      h("code", null, r.id),
      h("span", { class: `pill pill-${r.status}` }, r.status === "failed" && r.errorClass ? `failed (${r.errorClass})` : r.status),
      time(r.startedAt),
      duration(r.durationMs),
      num(r.rmse, 3),
      num(r.persistenceRmse, 3),
      pct(r.skill),
    ]),
    { rowHeader: false, numeric: [4, 5, 6, 7] },
  );
  update();
  return view;
}
