// The verification charts (uPlot): observed temperature with the model's hindcasts, persistence and
// KMA for the same valid hours, and the rolling RMSE of each. Times on the axis are KST.
import uPlot from "uplot";
import type { Verification } from "./api.ts";

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
      scales: { x: { time: true } },
      axes: axes(p, "°C"),
      series: tempSeries,
      plugins: [nowLine(nowSec, p.now)],
    },
    [x, vals(v.hours.map((r) => r.observed_c)), vals(v.hours.map((r) => r.model_c)), vals(v.hours.map((r) => r.persistence_c)), vals(v.hours.map((r) => r.kma_c)), vals(v.hours.map((r) => r.climatology_c))] as uPlot.AlignedData,
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
    [x, vals(v.hours.map((r) => r.rolling_rmse.model)), vals(v.hours.map((r) => r.rolling_rmse.persistence)), vals(v.hours.map((r) => r.rolling_rmse.kma))] as uPlot.AlignedData,
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
