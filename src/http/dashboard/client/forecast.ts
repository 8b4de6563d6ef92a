// Forecast cards: per location, the temperature 24 h after the newest observation, the model that
// made it and its skill, and the baselines for the same hour.
import { ApiProblem, type Forecast } from "./api.ts";
import { ago, h, kst, num, pct, problem, signed, time } from "./dom.ts";

export function forecastCard(id: string, name: string, result: Forecast | ApiProblem, now: number): HTMLElement {
  if (result instanceof ApiProblem) {
    const why =
      result.code === "stale_inputs" || result.status === 409
        ? "No forecast: the observations are too old or missing."
        : result.status === 503
          ? "No forecast: no production model yet."
          : "No forecast.";
    return h("article", { class: "card card-problem", "aria-labelledby": `fc-${id}` }, h("h3", { id: `fc-${id}` }, name), h("p", { class: "big-missing" }, why), problem(result.message));
  }
  const f = result;
  const hold = f.model.holdout;
  const delta = f.temperature_c - f.baselines.persistence_c;
  const age = now - Date.parse(f.inputs.newest_observation_at);
  return h(
    "article",
    { class: "card", "aria-labelledby": `fc-${id}` },
    h("h3", { id: `fc-${id}` }, f.location.name),
    h(
      "p",
      { class: "valid" },
      "Forecast for ",
      time(f.valid_at),
    ),
    h("p", { class: "big", "data-testid": "forecast-value" }, h("span", { class: "big-num" }, num(f.temperature_c, 1)), h("span", { class: "big-unit" }, "°C")),
    h(
      "p",
      { class: "sub" },
      `${signed(delta, 1)} °C from the ${num(f.baselines.persistence_c, 1)} °C observed at `,
      time(f.issued_at, kst(f.issued_at)),
      ` (${age <= 0 ? "the newest observation" : `${ago(age)} ago`})`,
    ),
    h(
      "dl",
      { class: "facts" },
      h("div", null, h("dt", null, "Persistence"), h("dd", null, `${num(f.baselines.persistence_c, 1)} °C`)),
      h("div", null, h("dt", null, "KMA forecast"), h("dd", null, f.baselines.kma_c === null ? "none stored" : `${num(f.baselines.kma_c, 1)} °C`)),
      h("div", null, h("dt", null, "Climatology"), h("dd", null, f.baselines.climatology_c === null ? "–" : `${num(f.baselines.climatology_c, 1)} °C`)),
    ),
    h(
      "p",
      { class: "model-line" },
      "Model ",
      h("code", null, f.model.version),
      ` · holdout RMSE ${num(hold.rmse, 2)}\u00a0°C vs persistence ${num(hold.persistence_rmse, 2)}\u00a0°C · skill `,
      h("strong", { class: hold.skill_vs_persistence > 0 ? "good" : "bad" }, pct(hold.skill_vs_persistence)),
      ` (n = ${hold.n} hours, ${kst(hold.from)} – ${kst(hold.to)})`,
    ),
    f.inputs.missing_features.length
      ? h(
          "p",
          { class: "note" },
          `Made without ${f.inputs.missing_features.join(", ")} (missing for this hour${f.inputs.missing_features.includes("kma_t24_rel") && f.baselines.kma_c === null ? ": no KMA forecast stored" : ""}); the model treats missing inputs as unknown.`,
        )
      : null,
  );
}
