// The verification charts (uPlot): observed temperature with the model's hindcasts, persistence and
// KMA for the same valid hours, and the rolling RMSE of each. Times on the axis are KST.
import uPlot from "uplot";
import { type Forecast, instant, type LeadScores, type Verification } from "./api.ts";

const KST = "Asia/Seoul";

export interface Palette {
  observed: string;
  model: string;
  persistence: string;
  kma: string;
  climatology: string;
  grid: string;
  axis: string;
  now: string;
  band80: string;
  band95: string;
  diurnal: string;
  nominal: string;
}

export function palette(): Palette {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string) => css.getPropertyValue(name).trim();
  return {
    observed: v("--c-observed"),
    model: v("--c-model"),
    persistence: v("--c-persistence"),
    kma: v("--c-kma"),
    climatology: v("--c-climatology"),
    grid: v("--c-grid"),
    axis: v("--c-axis"),
    now: v("--c-now"),
    band80: v("--c-band80"),
    band95: v("--c-band95"),
    diurnal: v("--c-diurnal"),
    nominal: v("--c-nominal"),
  };
}

const t = (iso: string) => Date.parse(iso) / 1000;
const vals = (xs: (number | null)[]) => xs.map((x) => (x === null ? null : x));

function axes(p: Palette, unit: string): uPlot.Axis[] {
  const common = { stroke: p.axis, grid: { stroke: p.grid, width: 1 }, ticks: { stroke: p.grid, width: 1 } };
  return [
    { ...common, space: 70 },
    { ...common, label: unit, labelSize: 18, size: 46, values: (_u, splits) => splits.map((s) => (Number.isInteger(s) ? String(s) : s.toFixed(1))) },
  ];
}

/** A vertical line at "now" (the server's clock), drawn after the series. */
function nowLine(nowSec: number, color: string): uPlot.Plugin {
  return {
    hooks: {
      draw: [
        (u) => {
          const x = u.valToPos(nowSec, "x", true);
          if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
          const ctx = u.ctx;
          ctx.save();
          ctx.strokeStyle = color;
          ctx.setLineDash([4, 4]);
          ctx.lineWidth = Math.max(1, devicePixelRatio);
          ctx.beginPath();
          ctx.moveTo(x, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + u.bbox.height);
          ctx.stroke();
          ctx.fillStyle = color;
          ctx.font = `${12 * devicePixelRatio}px system-ui, sans-serif`;
          ctx.fillText("now", x + 4 * devicePixelRatio, u.bbox.top + 14 * devicePixelRatio);
          ctx.restore();
        },
      ],
    },
  };
}

/** Interval bands (lo..hi per x), filled under the series; a null bound breaks the band. */
function bands(list: { lo: (number | null)[]; hi: (number | null)[]; color: string }[]): uPlot.Plugin {
  return {
    hooks: {
      drawAxes: [
        (u) => {
          const ctx = u.ctx;
          const xs = u.data[0] as number[];
          ctx.save();
          ctx.beginPath();
          ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
          ctx.clip();
          for (const b of list) {
            ctx.fillStyle = b.color;
            let i = 0;
            while (i < xs.length) {
              while (i < xs.length && (b.lo[i] == null || b.hi[i] == null)) i++;
              const start = i;
              while (i < xs.length && b.lo[i] != null && b.hi[i] != null) i++;
              if (i - start < 2) continue;
              ctx.beginPath();
              for (let k = start; k < i; k++) ctx[k === start ? "moveTo" : "lineTo"](u.valToPos(xs[k]!, "x", true), u.valToPos(b.hi[k]!, "y", true));
              for (let k = i - 1; k >= start; k--) ctx.lineTo(u.valToPos(xs[k]!, "x", true), u.valToPos(b.lo[k]!, "y", true));
              ctx.closePath();
              ctx.fill();
            }
          }
          ctx.restore();
        },
      ],
    },
  };
}

/** A y range that holds the series (uPlot's own) and the bands too (they are not series). */
function bandRange(...lists: (number | null)[][]): uPlot.Range.Function {
  const xs = lists.flat().filter((x): x is number => x !== null && Number.isFinite(x));
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return (_u, dmin, dmax) => {
    const a = Math.min(dmin ?? lo, lo);
    const b = Math.max(dmax ?? hi, hi);
    const pad = Math.max(0.5, (b - a) * 0.05);
    return [Math.floor(a - pad), Math.ceil(b + pad)];
  };
}

/** A horizontal reference line at `y` (e.g. the nominal coverage), labelled. */
function hLine(y: number, color: string, label: string): uPlot.Plugin {
  return {
    hooks: {
      draw: [
        (u) => {
          const py = u.valToPos(y, "y", true);
          const ctx = u.ctx;
          ctx.save();
          ctx.strokeStyle = color;
          ctx.setLineDash([5, 4]);
          ctx.lineWidth = Math.max(1, devicePixelRatio);
          ctx.beginPath();
          ctx.moveTo(u.bbox.left, py);
          ctx.lineTo(u.bbox.left + u.bbox.width, py);
          ctx.stroke();
          ctx.fillStyle = color;
          ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
          ctx.textAlign = "right"; // inside the plot, at its right end
          ctx.textBaseline = "bottom";
          ctx.fillText(label, u.bbox.left + u.bbox.width - 4 * devicePixelRatio, py - 3 * devicePixelRatio);
          ctx.restore();
        },
      ],
    },
  };
}

function size(el: HTMLElement, height: number) {
  return { width: Math.max(280, el.clientWidth), height };
}

export interface Charts {
  destroy(): void;
}

export function drawCharts(tempEl: HTMLElement, rmseEl: HTMLElement, v: Verification): Charts {
  const p = palette();
  const x = v.hours.map((r) => t(r.valid_at));
  const nowSec = t(v.now);
  const hasKma = v.hours.some((r) => r.kma_c !== null);
  const tzDate = (ts: number) => uPlot.tzDate(new Date(ts * 1000), KST);
  const narrow = tempEl.clientWidth < 560;
  const tempSeries: uPlot.Series[] = [
    {},
    { label: "Observed", stroke: p.observed, width: 2, value: (_u, y) => (y == null ? "–" : `${y.toFixed(1)} °C`) },
    { label: "Model (hindcast)", stroke: p.model, width: 2.5, value: (_u, y) => (y == null ? "–" : `${y.toFixed(1)} °C`) },
    { label: "Persistence", stroke: p.persistence, width: 1.5, dash: [6, 4], value: (_u, y) => (y == null ? "–" : `${y.toFixed(1)} °C`) },
    { label: "KMA", stroke: p.kma, width: 1.5, dash: [2, 3], show: hasKma, value: (_u, y) => (y == null ? "–" : `${y.toFixed(1)} °C`) },
    { label: "Climatology", stroke: p.climatology, width: 1.5, dash: [10, 4], value: (_u, y) => (y == null ? "–" : `${y.toFixed(1)} °C`) },
  ];
  const temp = new uPlot(
    {
      ...size(tempEl, narrow ? 260 : 320),
      tzDate,
      cursor: { sync: { key: "verification" }, focus: { prox: 16 } },
      legend: { live: true },
      scales: {
        x: { time: true },
        y: {
          range: bandRange(
            v.hours.map((r) => r.p025_c),
            v.hours.map((r) => r.p975_c),
          ),
        },
      },
      axes: axes(p, "°C"),
      series: tempSeries,
      plugins: [
        bands([
          { lo: v.hours.map((r) => r.p025_c), hi: v.hours.map((r) => r.p975_c), color: p.band95 },
          { lo: v.hours.map((r) => r.p10_c), hi: v.hours.map((r) => r.p90_c), color: p.band80 },
        ]),
        nowLine(nowSec, p.now),
      ],
    },
    [
      x,
      vals(v.hours.map((r) => r.observed_c)),
      vals(v.hours.map((r) => r.model_c)),
      vals(v.hours.map((r) => r.persistence_c)),
      vals(v.hours.map((r) => r.kma_c)),
      vals(v.hours.map((r) => r.climatology_c)),
    ] as uPlot.AlignedData,
    tempEl,
  );
  const rmse = new uPlot(
    {
      ...size(rmseEl, narrow ? 180 : 200),
      tzDate,
      cursor: { sync: { key: "verification" } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max))] } },
      axes: axes(p, "RMSE °C"),
      series: [
        {},
        { label: "Model", stroke: p.model, width: 2.5, value: (_u, y) => (y == null ? "–" : y.toFixed(2)) },
        { label: "Persistence", stroke: p.persistence, width: 1.5, dash: [6, 4], value: (_u, y) => (y == null ? "–" : y.toFixed(2)) },
        { label: "KMA", stroke: p.kma, width: 1.5, dash: [2, 3], show: hasKma, value: (_u, y) => (y == null ? "–" : y.toFixed(2)) },
      ],
      plugins: [nowLine(nowSec, p.now)],
    },
    [
      x,
      vals(v.hours.map((r) => r.rolling_rmse.model)),
      vals(v.hours.map((r) => r.rolling_rmse.persistence)),
      vals(v.hours.map((r) => r.rolling_rmse.kma)),
    ] as uPlot.AlignedData,
    rmseEl,
  );
  const observer = new ResizeObserver(() => {
    temp.setSize(size(tempEl, tempEl.clientWidth < 560 ? 260 : 320));
    rmse.setSize(size(rmseEl, rmseEl.clientWidth < 560 ? 180 : 200));
  });
  observer.observe(tempEl);
  return {
    destroy() {
      observer.disconnect();
      temp.destroy();
      rmse.destroy();
    },
  };
}

const degrees = (_u: uPlot, y: number | null) => (y == null ? "–" : `${y.toFixed(1)} °C`);

/** The next hours of a forecast: the model's line with its 80 % and 95 % bands, persistence and climatology. */
export function drawForecastChart(el: HTMLElement, f: Forecast): Charts {
  const p = palette();
  const hly = f.hourly;
  const x = hly.time.map((tm) => instant(tm, f.utc_offset_seconds) / 1000);
  const tzDate = (ts: number) => uPlot.tzDate(new Date(ts * 1000), KST);
  const height = () => (el.clientWidth < 560 ? 220 : 260);
  const chart = new uPlot(
    {
      ...size(el, height()),
      tzDate,
      cursor: { focus: { prox: 16 } },
      legend: { live: true },
      scales: { x: { time: true }, y: { range: bandRange(hly.temperature_2m_p025, hly.temperature_2m_p975) } },
      axes: axes(p, "°C"),
      series: [
        {},
        { label: "Model", stroke: p.model, width: 2.5, value: degrees },
        {
          label: "80 %",
          stroke: "transparent",
          width: 0,
          value: (_u, _y, _s, i) => (i == null ? "–" : `${hly.temperature_2m_p10[i]!.toFixed(1)} to ${hly.temperature_2m_p90[i]!.toFixed(1)}`),
        },
        {
          label: "95 %",
          stroke: "transparent",
          width: 0,
          value: (_u, _y, _s, i) => (i == null ? "–" : `${hly.temperature_2m_p025[i]!.toFixed(1)} to ${hly.temperature_2m_p975[i]!.toFixed(1)}`),
        },
        { label: "Persistence", stroke: p.persistence, width: 1.5, dash: [6, 4], value: degrees },
        { label: "Climatology", stroke: p.climatology, width: 1.5, dash: [10, 4], value: degrees },
      ],
      plugins: [
        bands([
          { lo: hly.temperature_2m_p025, hi: hly.temperature_2m_p975, color: p.band95 },
          { lo: hly.temperature_2m_p10, hi: hly.temperature_2m_p90, color: p.band80 },
        ]),
      ],
    },
    [
      x,
      hly.temperature_2m,
      hly.temperature_2m_p10,
      hly.temperature_2m_p025,
      hly.temperature_2m_persistence,
      vals(hly.temperature_2m_climatology),
    ] as uPlot.AlignedData,
    el,
  );
  const observer = new ResizeObserver(() => chart.setSize(size(el, height())));
  observer.observe(el);
  return {
    destroy() {
      observer.disconnect();
      chart.destroy();
    },
  };
}

/** Holdout scores against lead: RMSE of the model and every baseline; interval coverage against the nominal level. */
export function drawLeadCharts(rmseEl: HTMLElement, covEl: HTMLElement, leads: LeadScores[]): Charts {
  const p = palette();
  const x = leads.map((l) => l.lead_hours);
  const hasKma = leads.some((l) => l.kma !== null);
  const height = () => (rmseEl.clientWidth < 560 ? 220 : 260);
  const leadAxis = (label: string): uPlot.Axis[] => {
    const [ax, ay] = axes(p, label);
    return [{ ...ax, label: "lead (h)", labelSize: 18, values: (_u, splits) => splits.map((s) => `${s}`) }, ay!];
  };
  const two = (_u: uPlot, y: number | null) => (y == null ? "–" : y.toFixed(2));
  const rmse = new uPlot(
    {
      ...size(rmseEl, height()),
      cursor: { sync: { key: "leads" } },
      scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max))] } },
      axes: leadAxis("RMSE °C"),
      series: [
        { label: "Lead (h)", value: (_u, v) => (v == null ? "–" : `${v} h`) },
        { label: "Model", stroke: p.model, width: 2.5, value: two },
        { label: "Persistence", stroke: p.persistence, width: 1.5, dash: [6, 4], value: two },
        { label: "Diurnal persistence", stroke: p.diurnal, width: 1.5, dash: [3, 3], value: two },
        { label: "Climatology", stroke: p.climatology, width: 1.5, dash: [10, 4], value: two },
        { label: "KMA", stroke: p.kma, width: 1.5, dash: [2, 3], show: hasKma, value: two },
      ],
    },
    [
      x,
      leads.map((l) => l.model),
      leads.map((l) => l.persistence),
      leads.map((l) => l.diurnal_persistence),
      leads.map((l) => l.climatology),
      leads.map((l) => l.kma),
    ] as uPlot.AlignedData,
    rmseEl,
  );
  const pctv = (_u: uPlot, y: number | null) => (y == null ? "–" : `${(y * 100).toFixed(1)} %`);
  const cov = new uPlot(
    {
      ...size(covEl, height()),
      cursor: { sync: { key: "leads" } },
      scales: { x: { time: false }, y: { range: [0.5, 1.02] } },
      axes: leadAxis("coverage"),
      series: [
        { label: "Lead (h)", value: (_u, v) => (v == null ? "–" : `${v} h`) },
        { label: "80 % interval", stroke: p.model, width: 2, value: pctv },
        { label: "95 % interval", stroke: p.climatology, width: 2, value: pctv },
      ],
      plugins: [hLine(0.8, p.nominal, "nominal 80 %"), hLine(0.95, p.nominal, "nominal 95 %")],
    },
    [x, leads.map((l) => l.interval80.coverage), leads.map((l) => l.interval95.coverage)] as uPlot.AlignedData,
    covEl,
  );
  const observer = new ResizeObserver(() => {
    rmse.setSize(size(rmseEl, height()));
    cov.setSize(size(covEl, height()));
  });
  observer.observe(rmseEl);
  return {
    destroy() {
      observer.disconnect();
      rmse.destroy();
      cov.destroy();
    },
  };
}
