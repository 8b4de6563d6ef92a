// The model registry (what MLflow's model registry page shows): aliases, registered versions with
// their holdout scores, and the promotion history.
import type { Models } from "./api.ts";
import { h, kst, kstInText, num, pct, table, time } from "./dom.ts";

export function registryView(m: Models): HTMLElement {
  if (m.versions.length === 0) return h("p", { class: "note" }, "No registered model versions yet: run the training pipeline (nalssi train).");
  const aliasesOf = (loc: string, version: string) => m.aliases.filter((a) => a.location === loc && a.version === version).map((a) => a.alias);
  return h(
    "div",
    null,
    h(
      "ul",
      { class: "aliases", "aria-label": "Aliases" },
      m.aliases.length === 0
        ? h("li", null, "No alias set: nothing is in production.")
        : m.aliases.map((a) =>
            h("li", null, h("span", { class: `alias alias-${a.alias}` }, a.alias), ` ${a.location} → `, h("code", null, a.version), " since ", time(a.since)),
          ),
    ),
    table(
      "Registered versions (holdout scores, °C)",
      ["Version", "Location", "Aliases", "Holdout (issue hours)", "n", "RMSE", "Persistence", "KMA", "Skill"],
      m.versions.map((v) => {
        const al = aliasesOf(v.location, v.version);
        return [
          h("code", null, v.version),
          v.location,
          al.length ? al.map((a) => h("span", { class: `alias alias-${a}` }, a)) : "–",
          `${kst(v.holdout.from)} – ${kst(v.holdout.to)}`,
          String(v.holdout.n),
          num(v.holdout.rmse, 3),
          num(v.holdout.persistenceRmse, 3),
          num(v.holdout.kmaRmse, 3),
          pct(v.holdout.skill),
        ];
      }),
      { numeric: [4, 5, 6, 7, 8] },
    ),
    h("h3", null, "Promotion history"),
    m.history.length === 0
      ? h("p", { class: "note" }, "No alias has moved yet.")
      : h(
          "ol",
          { class: "history", reversed: true },
          m.history.map((e) =>
            h(
              "li",
              null,
              time(e.at),
              " ",
              h("strong", null, `${e.location} ${e.alias}`),
              `: ${e.from ?? "(none)"} → ${e.to ?? "(none)"} — ${e.action} by ${e.actor.kind === "gate" ? `the gate (${e.actor.name})` : e.actor.name}. `,
              h("span", { class: "reason" }, kstInText(e.reason)),
            ),
          ),
        ),
  );
}
