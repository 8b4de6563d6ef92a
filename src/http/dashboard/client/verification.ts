// The verification section: what the numbers are (hindcasts after the training cutoff), the scores
// over the period, and the hourly table behind the chart.
import type { Verification } from "./api.ts";
import { h, kst, num, pct, signed, table } from "./dom.ts";

export function verificationNote(v: Verification): HTMLElement {
  return h(
    "span",
    null,
    h("strong", null, "Hindcasts. "),
    `Production model `,
    h("code", null, v.model.version),
    ` was trained on data before ${kst(v.model.data_until)}. For every hour since then it is shown the data up to that hour only, and its forecast for ${v.window.lead_hours} h later is compared with what was observed — temperatures it never saw. Issue hours ${kst(v.window.issued_from)} – ${kst(Date.parse(v.window.issued_to) - 3_600_000)}.`,
  );
}

/** The count of observations the import flagged (kept, never used for training or verification). */
export function qualityLine(v: Verification): HTMLElement {
  const q = v.quality;
  const fields = Object.entries(q.by_field).map(([f, n]) => `${f}: ${n}`);
  return h(
    "p",
    { class: "note quality", "data-testid": "quality-flags" },
    h("strong", null, "Quality flags. "),
    q.flagged_observations === 0
      ? `No stored observation of ${v.location.name} is flagged.`
      : `${q.flagged_observations} stored observation${q.flagged_observations === 1 ? "" : "s"} of ${v.location.name} flagged at import (${fields.join(", ")}): implausible values or isolated spikes, kept with their raw value but never used for training or verification.`,
  );
}

/** The per-lead holdout scores as a table (the charts' numbers). */
export function leadTable(leads: NonNullable<Verification["by_lead"]>["leads"]): HTMLElement {
  return table(
    "RMSE (°C) and interval coverage by lead, on the production version's holdout",
    ["Lead", "n", "Model", "Persistence", "Diurnal pers.", "Climatology", "KMA", "80 % cover", "95 % cover"],
    leads.map((l) => [
      `${l.lead_hours} h`,
      String(l.n),
      num(l.model),
      num(l.persistence),
      num(l.diurnal_persistence),
      num(l.climatology),
      num(l.kma),
      pct0(l.interval80.coverage),
      pct0(l.interval95.coverage),
    ]),
    { numeric: [1, 2, 3, 4, 5, 6, 7, 8] },
  );
}

const pct0 = (x: number | null) => (x === null ? "–" : `${(x * 100).toFixed(1)} %`);

export function scoresTable(v: Verification): HTMLElement {
  const s = v.scores;
  const vsPersistence = (rmse: number | null) => (rmse === null || !s?.persistence.rmse ? "–" : pct(1 - rmse / s.persistence.rmse));
  if (!s) return h("p", { class: "note" }, "Nothing to score yet: none of these forecasts' hours has been observed.");
  const rows: [string, number | null, number | null, number | null, string][] = [
    ["Model (hindcast)", s.model.rmse, s.model.mae, s.model.bias, pct(s.skill_vs_persistence)],
    ["Persistence", s.persistence.rmse, s.persistence.mae, s.persistence.bias, "0\u00a0%"],
    ["Climatology", s.climatology.rmse, s.climatology.mae, s.climatology.bias, vsPersistence(s.climatology.rmse)],
  ];
  if (s.kma)
    rows.push([
      `KMA (${s.kma.n} h with a KMA forecast)`,
      s.kma.rmse,
      s.kma.mae,
      s.kma.bias,
      s.kma.rmse === null ? "–" : pct(1 - s.kma.rmse / s.kma.persistence_rmse),
    ]);
  const best = Math.min(...rows.map((r) => r[1] ?? Infinity));
  return h(
    "div",
    { class: "scores" },
    table(
      `Scores over ${s.n} observed hours (°C; skill = 1 − RMSE / persistence RMSE)`,
      ["Forecast", "RMSE", "MAE", "Bias", "Skill"],
      rows.map(([name, rmse, mae, bias, skill]) => [
        name,
        rmse === best ? h("strong", null, num(rmse), h("span", { class: "sr-only" }, " (lowest)")) : num(rmse),
        num(mae),
        signed(bias),
        skill,
      ]),
      { numeric: [1, 2, 3, 4] },
    ),
    s.coverage80 === null
      ? null
      : h(
          "p",
          { class: "note", "data-testid": "coverage" },
          `Observed inside the 80 % interval: ${pct0(s.coverage80)} of the hours; inside the 95 % interval: ${pct0(s.coverage95)}.`,
        ),
    s.kma
      ? null
      : h("p", { class: "note" }, "No KMA short-term forecasts are stored for these hours (the bundled history has none; the hourly ingest collects them)."),
  );
}

export function hoursTable(v: Verification): HTMLElement {
  return h(
    "table",
    null,
    h("caption", null, `Hourly values, ${v.location.name} (°C)`),
    h(
      "thead",
      null,
      h(
        "tr",
        null,
        ["Valid (KST)", "Observed", "Model", "Persistence", "KMA", "Climatology", `Model RMSE (${v.window.rolling_hours} h)`].map((x, i) =>
          h("th", { scope: "col", class: i ? "num" : null }, x),
        ),
      ),
    ),
    h(
      "tbody",
      null,
      v.hours.map((r) =>
        h(
          "tr",
          null,
          h("th", { scope: "row" }, kst(r.valid_at)),
          h("td", { class: "num" }, num(r.observed_c, 1)),
          h("td", { class: "num" }, num(r.model_c, 1)),
          h("td", { class: "num" }, num(r.persistence_c, 1)),
          h("td", { class: "num" }, num(r.kma_c, 1)),
          h("td", { class: "num" }, num(r.climatology_c, 1)),
          h("td", { class: "num" }, num(r.rolling_rmse.model, 2)),
        ),
      ),
    ),
  );
}
