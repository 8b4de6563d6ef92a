// `nalssi models`: the model registry — aliases (production, candidate), registered versions with
// their holdout scores, and the promotion history.
import type { Command } from "commander";
import type { PromotionEvent } from "../../registry/aliases.ts";
import { Registry } from "../../registry/registry.ts";
import { DATA_DIR_HELP, withDataFolder, parseLimit, parseLocation } from "../registry-options.ts";
import { formatNumber, formatSigned, renderTable } from "../table.ts";

interface ModelsOpts {
  location?: string;
  history?: string;
  json?: boolean;
  dataDir: string;
}

function describeEvent(e: PromotionEvent): string {
  const by = e.actor.kind === "gate" ? `gate ${e.actor.name}` : e.actor.name;
  return `${e.at}  ${e.location} ${e.alias}: ${e.from ?? "(none)"} -> ${e.to ?? "(none)"}  ${e.action} by ${by}: ${e.reason}`;
}

async function models(opts: ModelsOpts): Promise<void> {
  const location = parseLocation(opts.location);
  const historyLimit = parseLimit(opts.history, 20, 10000, "--history");
  await withDataFolder(opts.dataDir, async ({ deps: { db } }) => {
    const overview = await new Registry({ db }).overview(location, { history: historyLimit });
    if (opts.json) {
      console.log(JSON.stringify(overview, null, 2));
      return;
    }
    if (overview.versions.length === 0) {
      console.log(`no registered model versions${location ? ` for ${location}` : ""}`);
      return;
    }
    const aliasesOf = (loc: string, version: string) =>
      overview.aliases
        .filter((a) => a.location === loc && a.version === version)
        .map((a) => a.alias)
        .join(",");
    const out: string[] = ["aliases"];
    if (overview.aliases.length === 0) out.push("  (none: nothing is in production yet)");
    else {
      out.push(
        ...renderTable(
          [{ header: "LOCATION" }, { header: "ALIAS" }, { header: "VERSION" }, { header: "SINCE (UTC)" }],
          overview.aliases.map((a) => [a.location, a.alias, a.version, a.since]),
        ).map((l) => `  ${l}`),
      );
    }
    out.push("", "versions (holdout scores, °C)");
    out.push(
      ...renderTable(
        [
          { header: "LOCATION" },
          { header: "VERSION" },
          { header: "ALIASES" },
          { header: "RUN" },
          { header: "HOLDOUT (UTC)" },
          { header: "N", align: "right" },
          { header: "RMSE", align: "right" },
          { header: "PERSISTENCE", align: "right" },
          { header: "SKILL", align: "right" },
          { header: "FEATURES" },
        ],
        overview.versions.map((v) => [
          v.location,
          v.version,
          aliasesOf(v.location, v.version) || "-",
          v.runId,
          `${v.holdout.from}..${v.holdout.to}`,
          String(v.holdout.n),
          formatNumber(v.holdout.rmse),
          formatNumber(v.holdout.persistenceRmse),
          formatSigned(v.holdout.skill),
          v.featureSpec.version,
        ]),
      ).map((l) => `  ${l}`),
    );
    out.push("", "promotion history (newest first)");
    if (overview.history.length === 0) out.push("  (none)");
    else out.push(...overview.history.map((e) => `  ${describeEvent(e)}`));
    console.log(out.join("\n"));
  });
}

export function registerModels(program: Command): void {
  program
    .command("models")
    .description("the model registry: aliases, registered versions with holdout scores, promotion history")
    .option("--location <id>", "only this location")
    .option("--history <n>", "how many promotion-history entries to show, newest first (1-10000)", "20")
    .option("--json", "print JSON instead of tables")
    .option("--data-dir <dir>", DATA_DIR_HELP, ".nalssi")
    .action((opts: ModelsOpts) => models(opts));
}

export { describeEvent };
