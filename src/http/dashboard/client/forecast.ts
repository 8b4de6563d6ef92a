// Forecast cards: per location, the next 48 hours as a line with its 80 % and 95 % bands (drawn into
// the card's chart region once it is on the page), the +24 h value with its band, the next-24 h range,
// the baselines for +24 h and the model that made it (its holdout skill at 24 h).
import { ApiProblem, type Forecast, instant } from "./api.ts";
import { ago, h, kst, num, pct, problem, scrollRegion, time } from "./dom.ts";

export interface ForecastCard {
  card: HTMLElement;
  /** Where the 48 h chart goes (null for a problem card). */
  chart: HTMLElement | null;
  forecast: Forecast | null;
}

export function forecastCard(id: string, name: string, result: Forecast | ApiProblem, now: number): ForecastCard {
  if (result instanceof ApiProblem) {
    const why =
      result.code === "stale_inputs" || result.status === 409
        ? "No forecast: the observations are too old or missing."
        : result.status === 503
          ? "No forecast: no production model yet."
          : "No forecast.";
    return {
      card: h(
        "article",
        { class: "card card-problem", "aria-labelledby": `fc-${id}` },
        h("h3", { id: `fc-${id}` }, name),
        h("p", { class: "big-missing" }, why),
        problem(result.message),
      ),
      chart: null,
      forecast: null,
    };
  }
  const f = result;
  const hly = f.hourly;
  const at = (i: number) => new Date(instant(hly.time[i]!, f.utc_offset_seconds)).toISOString();
  const issued = new Date(instant(f.issued_at, f.utc_offset_seconds)).toISOString();
  const n24 = Math.min(24, hly.time.length);
  const k = hly.time.length >= 24 ? 23 : hly.time.length - 1;
  const range = (xs: number[]) => [Math.min(...xs.slice(0, n24)), Math.max(...xs.slice(0, n24))] as const;
  const [lo, hi] = range(hly.temperature_2m);
  const hold = f.model.holdout;
  const age = now - Date.parse(issued);
  const chart = h("div", {
    class: "chart fc-chart",
    role: "img",
    "data-testid": "forecast-chart",
    "aria-label": `Forecast for the next ${hly.time.length} hours from ${kst(at(0))}: ${num(lo, 1)} to ${num(hi, 1)} °C over the first ${n24} h; the table below has every value.`,
  });
  const card = h(
    "article",
    { class: "card card-wide", "aria-labelledby": `fc-${id}` },
    h("h3", { id: `fc-${id}` }, f.location.name),
    h(
      "p",
      { class: "valid" },
      `Next ${hly.time.length} hours, issued from the observation at `,
      time(issued),
      ` (${age <= 0 ? "the newest" : `${ago(age)} ago`})`,
    ),
    h(
      "p",
      { class: "big", "data-testid": "forecast-value" },
      h("span", { class: "big-num" }, num(hly.temperature_2m[k], 1)),
      h("span", { class: "big-unit" }, "°C"),
      h("span", { class: "sub" }, ` at `, time(at(k)), ` (80 %: ${num(hly.temperature_2m_p10[k], 1)} to ${num(hly.temperature_2m_p90[k], 1)} °C)`),
    ),
    h(
      "p",
      { class: "sub", "data-testid": "forecast-range" },
      `Next ${n24} h: ${num(lo, 1)} to ${num(hi, 1)} °C; 80 % band ${num(range(hly.temperature_2m_p10)[0], 1)} to ${num(range(hly.temperature_2m_p90)[1], 1)} °C.`,
    ),
    chart,
    h(
      "p",
      { class: "note" },
      h("span", { class: "band-key b80" }),
      "80 % interval ",
      h("span", { class: "band-key b95" }),
      "95 % interval (calibrated on data before the training cutoff).",
    ),
    h(
      "dl",
      { class: "facts" },
      h("div", null, h("dt", null, "Persistence"), h("dd", null, `${num(hly.temperature_2m_persistence[0], 1)} °C`)),
      h("div", null, h("dt", null, "KMA +24 h"), h("dd", null, hly.temperature_2m_kma[k] == null ? "none stored" : `${num(hly.temperature_2m_kma[k], 1)} °C`)),
      h(
        "div",
        null,
        h("dt", null, "Climatology +24 h"),
        h("dd", null, hly.temperature_2m_climatology[k] == null ? "–" : `${num(hly.temperature_2m_climatology[k], 1)} °C`),
      ),
    ),
    h(
      "p",
      { class: "model-line" },
      "Model ",
      h("code", null, f.model.version),
      ` · holdout RMSE at 24 h ${num(hold.rmse, 2)}\u00a0°C vs persistence ${num(hold.persistence_rmse, 2)}\u00a0°C · skill `,
      h("strong", { class: hold.skill_vs_persistence > 0 ? "good" : "bad" }, pct(hold.skill_vs_persistence)),
      ` (n = ${hold.n} hours, ${kst(hold.from)} – ${kst(hold.to)})`,
    ),
    f.inputs.missing_features.length
      ? h(
          "p",
          { class: "note" },
          `Made without ${f.inputs.missing_features.join(", ")} (missing at the issue hour); the models treat missing inputs as unknown.`,
        )
      : null,
    h(
      "details",
      { class: "data-table" },
      h("summary", null, "Every hour as a table"),
      scrollRegion(
        `Hourly forecast, ${f.location.name}`,
        h(
          "table",
          null,
          h("caption", null, `Hourly forecast, ${f.location.name} (°C)`),
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              ["Valid (KST)", "Lead", "Model", "80 %", "95 %", "Persistence", "Climatology"].map((x, i) =>
                h("th", { scope: "col", class: i ? "num" : null }, x),
              ),
            ),
          ),
          h(
            "tbody",
            null,
            hly.time.map((_, i) =>
              h(
                "tr",
                null,
                h("th", { scope: "row" }, kst(at(i))),
                h("td", { class: "num" }, `${hly.lead_hours[i]} h`),
                h("td", { class: "num" }, num(hly.temperature_2m[i], 1)),
                h("td", { class: "num" }, `${num(hly.temperature_2m_p10[i], 1)} – ${num(hly.temperature_2m_p90[i], 1)}`),
                h("td", { class: "num" }, `${num(hly.temperature_2m_p025[i], 1)} – ${num(hly.temperature_2m_p975[i], 1)}`),
                h("td", { class: "num" }, num(hly.temperature_2m_persistence[i], 1)),
                h("td", { class: "num" }, num(hly.temperature_2m_climatology[i], 1)),
              ),
            ),
          ),
        ),
      ),
    ),
  );
  return { card, chart, forecast: f };
}
