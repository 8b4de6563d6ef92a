// Research: does a pooled model set give a station with 30 days of its own history a useful
// forecast? On the 12 Beijing sites (data/beijing-multisite, imported once with
//   nalssi import data/beijing-multisite/*.csv --map data/beijing-multisite/mapping.json --data-dir /tmp/bj-all)
// trained on data before 2016-03-01 KST and tested on 2016-03-01..2017-03-01 (one fit, no refit in
// the test year), 24 h lead, skill = 1 - RMSE / persistence RMSE:
//   - the held-out site with only its last 30 days before the cutoff: local model vs pooled model
//     (the other 11 sites with full history + its 30 days);
//   - the same site with full history: local vs pooled (all 12 full);
//   - pooled (12 full) vs local for a few more sites.
// Also per fit: CPU, rows per group, wasm and JS memory (a Workflows step allows 30 s CPU, 128 MB).
// Usage: node scripts/research/pooled-beijing.ts [--data-dir /tmp/bj-all] [--site beijing-dongsi] [--others 3] [--max-rows 40000]
import process from "node:process";
import { parseArgs } from "node:util";
import { openNodeDatabase } from "../../src/adapters/node/database.ts";
import { loadSeries } from "../../src/jobs/train/load-series.ts";
import { fitGroups, prepareFit } from "../../src/model/hourly-model.ts";
import { HOURLY_RECIPE } from "../../src/model/hourly-recipes.ts";
import type { LightGBM } from "../../src/model/lightgbm-wasm/lightgbm.ts";
import { loadLightGBM } from "../../src/model/lightgbm-wasm/node.ts";
import { buildLeadRows, type LeadRows } from "../../src/model/multilead-dataset.ts";
import { boosterPredictor } from "../../src/model/hourly-model.ts";
import { calibratePooled, fitPooledGroups, memberRows, type PoolMember, preparePooled } from "../../src/model/pooled-model.ts";
import { DAY_MS, type HourlySeries, kstToUtc } from "../../src/model/series.ts";
import { HourlyGrid } from "../../src/model/series-grid.ts";
import type { Booster } from "../../src/model/lightgbm-wasm/index.ts";

const { values } = parseArgs({
  options: {
    "data-dir": { type: "string", default: "/tmp/bj-all" },
    site: { type: "string", default: "beijing-dongsi" },
    others: { type: "string", default: "3" },
    "max-rows": { type: "string", default: "40000" },
    calibrate: { type: "boolean", default: false },
  },
});
const CUTOFF = kstToUtc(2016, 3, 1);
const TEST_TO = kstToUtc(2017, 3, 1);
const LEAD = 24;
const MB = 1024 * 1024;

interface Score {
  n: number;
  rmse: number;
  persistence: number;
  skill: number;
}

function score(rows: LeadRows, predict: (r: LeadRows) => Float64Array): Score {
  const out = predict(rows);
  let se = 0;
  let sp = 0;
  for (let r = 0; r < rows.numRows; r++) {
    se += (rows.current[r]! + out[r]! - rows.target[r]!) ** 2;
    sp += (rows.current[r]! - rows.target[r]!) ** 2;
  }
  const rmse = Math.sqrt(se / rows.numRows);
  const persistence = Math.sqrt(sp / rows.numRows);
  return { n: rows.numRows, rmse, persistence, skill: 1 - rmse / persistence };
}

/** The booster of the group serving LEAD. */
function at24(groups: readonly { leads: [number, number] }[], boosters: Booster[]): (r: LeadRows) => Float64Array {
  const gi = groups.findIndex((g) => g.leads[0] <= LEAD && LEAD <= g.leads[1]);
  return (r) => boosterPredictor(boosters[gi]!)(r.data, r.numRows, r.numCols);
}

function measure<T>(lgb: LightGBM, work: () => T): { value: T; cpuS: number; wasmMb: number; jsMb: number } {
  const c0 = process.cpuUsage();
  const value = work();
  const c = process.cpuUsage(c0);
  const m = process.memoryUsage();
  return { value, cpuS: (c.user + c.system) / 1e6, wasmMb: lgb.memoryBytes() / MB, jsMb: (m.heapUsed + m.arrayBuffers) / MB };
}

/** Only the last `days` days before the cutoff, and everything from the cutoff on (inputs of the test year). */
function shortHistory(s: HourlySeries, days: number): HourlySeries {
  return { ...s, observations: s.observations.filter((o) => o.time >= CUTOFF - days * DAY_MS) };
}

function localScore(series: HourlySeries, full: HourlySeries): { s: Score; cpuS: number; wasmMb: number } {
  // A fresh LightGBM per fit, as a fresh Workflows step would have (wasm memory never shrinks).
  return withLgb((lgb) => {
    const setup = prepareFit(series, CUTOFF, HOURLY_RECIPE);
    const m = measure(lgb, () => fitGroups(lgb, setup));
    try {
      const rows = buildLeadRows(new HourlyGrid(full), {
        issueFeatures: HOURLY_RECIPE.issueFeatures,
        leadFeatures: HOURLY_RECIPE.leadFeatures,
        context: setup.ctx,
        leads: [LEAD],
        from: CUTOFF,
        to: TEST_TO,
      });
      return { s: score(rows, at24(m.value.models.groups, m.value.boosters)), cpuS: m.cpuS, wasmMb: m.wasmMb };
    } finally {
      m.value.boosters.forEach((b) => b.free());
    }
  });
}

let lgbFactory: () => Promise<LightGBM>;
let current: LightGBM;
function withLgb<T>(f: (lgb: LightGBM) => T): T {
  return f(current);
}

async function fresh(): Promise<void> {
  current = await lgbFactory();
}

async function main() {
  lgbFactory = () => loadLightGBM();
  const { db } = await openNodeDatabase({ dataDir: values["data-dir"]!, env: {} });
  const ids = (await db.execute("SELECT DISTINCT location_id FROM observations WHERE location_id LIKE 'beijing-%' ORDER BY location_id")).rows.map((r) =>
    String(r.location_id),
  );
  if (ids.length < 2) throw new Error(`no Beijing sites in ${values["data-dir"]}: import them first (see the header)`);
  const site = values.site!;
  if (!ids.includes(site)) throw new Error(`--site ${site} is not in ${ids.join(", ")}`);
  const all = new Map<string, HourlySeries>();
  for (const id of ids) all.set(id, await loadSeries(db, id, { before: new Date(TEST_TO) }));
  db.close();
  const maxRows = Number(values["max-rows"]);
  // Several Beijing sites carry the SAME weather series (the data set copied one meteorological
  // station's readings to several air-quality sites): a pool holding the held-out site's twin would
  // have seen its test weather. Keep one site per identical series (equal temperature on > 50 % of
  // shared hours), and always the held-out site itself.
  const temp = new Map(
    ids.map((id) => [
      id,
      new Map(
        all
          .get(id)!
          .observations.filter((o) => typeof o.temperature === "number")
          .map((o) => [o.time, o.temperature as number]),
      ),
    ]),
  );
  const same = (a: string, b: string) => {
    let eq = 0;
    let n = 0;
    for (const [t, v] of temp.get(a)!) {
      const w = temp.get(b)!.get(t);
      if (w === undefined) continue;
      n++;
      if (w === v) eq++;
    }
    return n > 0 && eq / n > 0.5;
  };
  const kept: string[] = [site];
  const dropped: string[] = [];
  for (const id of ids) if (id !== site) (kept.some((k) => same(k, id)) ? dropped : kept).push(id);
  ids.splice(0, ids.length, ...kept.sort());
  console.log(`distinct weather series: ${ids.join(", ")}; left out as copies of one of them: ${dropped.join(", ") || "none"}`);
  // The Beijing sites have no coordinates in the data: lat/lon/altitude descriptors are unknown (NaN); the climatology summary is what tells the sites apart.
  const members = (short: string | null): PoolMember[] => ids.map((id) => ({ series: short === id ? shortHistory(all.get(id)!, 30) : all.get(id)! }));

  const pooled = async (short: string | null, scoreIds: string[]) => {
    await fresh();
    return withLgb((lgb) => {
      const setup = measure(lgb, () => preparePooled(members(short), CUTOFF, undefined, maxRows));
      const fit = measure(lgb, () => fitPooledGroups(lgb, setup.value));
      const cal = values.calibrate ? measure(lgb, () => calibratePooled(lgb, setup.value)) : null;
      try {
        const scores = Object.fromEntries(
          scoreIds.map((id) => {
            const m = setup.value.members.find((x) => x.locationId === id)!;
            const rows = memberRows(setup.value, m, all.get(id)!, [LEAD], CUTOFF, TEST_TO);
            return [id, { ...score(rows, at24(fit.value.models.groups, fit.value.boosters)), climatology: m.station.climatologySource }];
          }),
        );
        return {
          scores,
          prepareCpuS: setup.cpuS,
          fitCpuS: fit.cpuS,
          calibrateCpuS: cal?.cpuS ?? null,
          wasmMb: Math.max(fit.wasmMb, cal?.wasmMb ?? 0),
          jsMb: Math.max(fit.jsMb, cal?.jsMb ?? 0),
          rowsPerGroup: fit.value.models.groups.map((g) => g.trainRows),
        };
      } finally {
        fit.value.boosters.forEach((b) => b.free());
      }
    });
  };

  const others = ids.filter((id) => id !== site).slice(0, Number(values.others));
  const f = (x: number) => x.toFixed(3);
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  console.log(
    `pooled vs local, 24 h lead, train < 2016-03-01 KST, test 2016-03-01..2017-03-01 KST, one fit; held-out site ${site}; pool of ${ids.length} sites, at most ${maxRows} rows per lead group`,
  );

  await fresh();
  const localFull = localScore(all.get(site)!, all.get(site)!);
  await fresh();
  const local30 = localScore(shortHistory(all.get(site)!, 30), all.get(site)!);
  const p30 = await pooled(site, [site]);
  const pFull = await pooled(null, [site, ...others]);
  const localOthers: Record<string, { s: Score; cpuS: number; wasmMb: number }> = {};
  for (const id of others) {
    await fresh();
    localOthers[id] = localScore(all.get(id)!, all.get(id)!);
  }

  const rows: string[][] = [["site", "history", "model", "n", "rmse", "persistence", "skill", "vs full-history local"]];
  const add = (id: string, hist: string, model: string, s: Score) =>
    rows.push([id, hist, model, String(s.n), f(s.rmse), f(s.persistence), pct(s.skill), pct(s.skill / localFull.s.skill)]);
  add(site, "full", "local", localFull.s);
  add(site, "full", "pooled", pFull.scores[site]!);
  add(site, "30 days", "local", local30.s);
  add(site, "30 days", "pooled", p30.scores[site]!);
  for (const id of others) {
    rows.push([
      id,
      "full",
      "local",
      String(localOthers[id]!.s.n),
      f(localOthers[id]!.s.rmse),
      f(localOthers[id]!.s.persistence),
      pct(localOthers[id]!.s.skill),
      "",
    ]);
    const p = pFull.scores[id]!;
    rows.push([id, "full", "pooled", String(p.n), f(p.rmse), f(p.persistence), pct(p.skill), ""]);
  }
  const w = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) console.log(r.map((x, c) => x.padEnd(w[c]!)).join("  "));
  const ratio = p30.scores[site]!.skill / localFull.s.skill;
  console.log(`target: 30-day pooled skill >= 90 % of the full-history local skill: ${pct(ratio)} -> ${ratio >= 0.9 ? "met" : "NOT met"}`);
  console.log(
    `cost: local fit (full) ${localFull.cpuS.toFixed(1)} s CPU, wasm ${localFull.wasmMb.toFixed(0)} MB; pooled fit (${ids.length} sites) ${pFull.fitCpuS.toFixed(1)} s CPU (+ prepare ${pFull.prepareCpuS.toFixed(1)} s${pFull.calibrateCpuS !== null ? `, calibration ${pFull.calibrateCpuS.toFixed(1)} s` : ""}), wasm ${pFull.wasmMb.toFixed(0)} MB, JS ${pFull.jsMb.toFixed(0)} MB, rows per group ${pFull.rowsPerGroup.join("/")}`,
  );
}

await main();
