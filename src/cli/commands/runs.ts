// `nalssi runs`: the training runs recorded by experiment tracking, newest first, and
// `nalssi runs compare <a> <b>`: two runs' facts, parameters and metrics side by side.
import type { Command } from "commander";
import { compareRuns } from "../../tracking/compare.ts";
import type { ValueDiff } from "../../tracking/compare.ts";
import type { JsonValue } from "../../tracking/json.ts";
import { listRuns, requireRun } from "../../tracking/runs.ts";
import { DATA_DIR_HELP, withDataFolder, parseLimit, parseLocation, parseStatus } from "../registry-options.ts";
import { formatDuration, formatNumber, formatSigned, renderTable } from "../table.ts";

interface RunsOpts {
  location?: string;
  status?: string;
  limit?: string;
  json?: boolean;
  dataDir: string;
}

async function runs(opts: RunsOpts): Promise<void> {
  const filter = { location: parseLocation(opts.location), status: parseStatus(opts.status), limit: parseLimit(opts.limit, 20) };
  await withDataFolder(opts.dataDir, async ({ deps: { db }, databaseLocation }) => {
    const list = await listRuns(db, Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)));
    if (opts.json) {
      console.log(JSON.stringify(list, null, 2));
      return;
    }
    if (list.length === 0) {
      console.log(
        `no training runs${filter.location ? ` for ${filter.location}` : ""}${filter.status ? ` with status ${filter.status}` : ""} in ${databaseLocation}`,
      );
      return;
    }
    const rows = list.map((r) => [
      r.id,
      r.location,
      r.status === "failed" && r.errorClass ? `failed (${r.errorClass})` : r.status,
      r.startedAt,
      formatDuration(r.durationMs),
      formatNumber(r.rmse),
      formatNumber(r.persistenceRmse),
      formatSigned(r.skill),
    ]);
    const lines = renderTable(
      [
        { header: "RUN" },
        { header: "LOCATION" },
        { header: "STATUS" },
        { header: "STARTED (UTC)" },
        { header: "DURATION", align: "right" },
        { header: "RMSE", align: "right" },
        { header: "PERSISTENCE", align: "right" },
        { header: "SKILL", align: "right" },
      ],
      rows,
    );
    console.log(lines.join("\n"));
  });
}

function show(v: JsonValue | undefined): string {
  if (v === undefined) return "(none)";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

function section(title: string, diffs: readonly ValueDiff[], a: string, b: string, onlyDiff: boolean): string[] {
  const shown = onlyDiff ? diffs.filter((d) => !d.same) : diffs;
  const changed = diffs.filter((d) => !d.same).length;
  const head = `${title} (${changed} of ${diffs.length} differ)`;
  if (shown.length === 0) return [head, "  (nothing to show)"];
  const rows = shown.map((d) => [d.same ? " " : "*", d.key, show(d.a), show(d.b), d.delta === undefined || d.same ? "" : formatSigned(d.delta, 4)]);
  return [
    head,
    ...renderTable([{ header: "" }, { header: "KEY" }, { header: a }, { header: b }, { header: "B - A", align: "right" }], rows).map((l) => `  ${l}`),
  ];
}

interface CompareOpts {
  onlyDiff?: boolean;
}

async function compare(a: string, b: string, opts: CompareOpts, global: RunsOpts): Promise<void> {
  await withDataFolder(global.dataDir, async ({ deps: { db } }) => {
    const c = compareRuns(await requireRun(db, a), await requireRun(db, b));
    if (global.json) {
      console.log(JSON.stringify(c, null, 2));
      return;
    }
    const onlyDiff = opts.onlyDiff ?? false;
    console.log(
      [
        `A = ${a}`,
        `B = ${b}`,
        "* marks a difference",
        "",
        ...section("run", c.run, "A", "B", onlyDiff),
        "",
        ...section("params", c.params, "A", "B", onlyDiff),
        "",
        ...section("metrics", c.metrics, "A", "B", onlyDiff),
      ].join("\n"),
    );
  });
}

export function registerRuns(program: Command): void {
  const cmd = program
    .command("runs")
    .description("list training runs, newest first (experiment tracking)")
    .option("--location <id>", "only runs for this location")
    .option("--status <status>", "only running, succeeded or failed runs")
    .option("--limit <n>", "how many runs (1-1000)", "20")
    .option("--json", "print JSON instead of a table")
    .option("--data-dir <dir>", DATA_DIR_HELP, ".nalssi")
    .action((opts: RunsOpts) => runs(opts));
  cmd
    .command("compare")
    .description("two runs side by side: run facts, parameters and metrics, with differences marked")
    .argument("<runA>", "run id")
    .argument("<runB>", "run id")
    .option("--only-diff", "show only what differs")
    .addHelpText("after", "\n--json and --data-dir (options of `nalssi runs`) apply here too.")
    .action(function (this: Command, a: string, b: string, opts: CompareOpts) {
      return compare(a, b, opts, this.optsWithGlobals<RunsOpts & CompareOpts>());
    });
}
