// Small DOM and formatting helpers for the dashboard (browser only).

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((e: Event) => void)>;

/** An element with attributes (on* = event listeners; false/null/undefined = absent) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs | null = null, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === "object" ? c : String(c));
  }
  return el;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}

export function replace(el: Element, ...children: (Child | Child[])[]): void {
  el.replaceChildren(
    ...children
      .flat()
      .filter((c): c is Node | string => c !== null && c !== undefined && c !== false)
      .map((c) => (typeof c === "number" ? String(c) : c)),
  );
}

/** Text only screen readers read. */
export const sr = (text: string) => h("span", { class: "sr-only" }, text);

const KST = "Asia/Seoul";
// With the year: the replay's 2018 hours sit next to runs started in real time.
const dateTime = new Intl.DateTimeFormat("en-GB", {
  timeZone: KST,
  weekday: "short",
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});
const dateOnly = new Intl.DateTimeFormat("en-GB", { timeZone: KST, day: "numeric", month: "short", year: "numeric" });
const timeOnly = new Intl.DateTimeFormat("en-GB", { timeZone: KST, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

/** "Sat 1 Dec 2018, 08:00 KST". */
export const kst = (iso: string | number) => `${dateTime.format(new Date(iso))} KST`;

const ISO_INSTANT = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g;

/** Text from the server (a gate's reason) with its ISO instants in KST, and "a..b" ranges as "a – b". */
export function kstInText(text: string): string {
  return text.replace(new RegExp(`(${ISO_INSTANT.source})\\.\\.(?=${ISO_INSTANT.source})`, "g"), "$1 – ").replace(ISO_INSTANT, (iso) => kst(iso));
}
export const kstDay = (iso: string | number) => dateOnly.format(new Date(iso));
export const kstTime = (iso: string | number) => timeOnly.format(new Date(iso));

/** A <time> element showing KST, with the UTC instant in datetime. */
export function time(iso: string, text = kst(iso)): HTMLTimeElement {
  return h("time", { datetime: new Date(iso).toISOString() }, text);
}

export function num(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined || !Number.isFinite(x) ? "–" : x.toFixed(digits);
}

export function signed(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined || !Number.isFinite(x) ? "–" : `${x > 0 ? "+" : x < 0 ? "−" : ""}${Math.abs(x).toFixed(digits)}`;
}

/** Skill as a percentage: +7.7 %. */
export function pct(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? "–" : `${signed(x * 100, 1)}\u00a0%`;
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function ago(ms: number): string {
  const m = Math.round(ms / 60_000);
  if (m < 1) return "just now";
  if (m < 120) return `${m} min`;
  const hrs = ms / 3_600_000;
  return hrs < 48 ? `${Math.round(hrs)} h` : `${Math.round(hrs / 24)} days`;
}

/**
 * A keyboard-scrollable region for content wider than the screen (tables on a phone). When its
 * content overflows, a "scroll sideways" hint shows above it and shadows mark the hidden edges
 * (styles.css: .scroll-box[data-overflows], .scroll).
 */
export function scrollRegion(label: string, content: Node): HTMLElement {
  const region = h("div", { class: "scroll", tabindex: 0, role: "region", "aria-label": label }, content);
  const box = h("div", { class: "scroll-box" }, h("p", { class: "scroll-hint", "aria-hidden": "true" }, "scroll sideways for more →"), region);
  const update = () => {
    box.toggleAttribute("data-overflows", region.scrollWidth > region.clientWidth + 1);
    box.toggleAttribute("data-at-end", region.scrollLeft + region.clientWidth >= region.scrollWidth - 1);
  };
  new ResizeObserver(update).observe(region);
  region.addEventListener("scroll", update, { passive: true });
  return box;
}

/** A table with a caption; headers get scope=col, the first cell of each row is a row header. */
export function table(
  caption: string,
  headers: (string | Node)[],
  rows: (Child | Child[])[][],
  opts: { rowHeader?: boolean; numeric?: number[]; className?: string } = {},
): HTMLElement {
  const numeric = new Set(opts.numeric ?? []);
  return scrollRegion(
    caption,
    h(
      "table",
      { class: opts.className ?? null },
      h("caption", null, caption),
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          headers.map((x, i) => h("th", { scope: "col", class: numeric.has(i) ? "num" : null }, x)),
        ),
      ),
      h(
        "tbody",
        null,
        rows.map((r) =>
          h(
            "tr",
            null,
            r.map((c, i) => (i === 0 && opts.rowHeader !== false ? h("th", { scope: "row" }, c) : h("td", { class: numeric.has(i) ? "num" : null }, c))),
          ),
        ),
      ),
    ),
  );
}

export function problem(message: string): HTMLElement {
  return h("p", { class: "problem" }, message);
}
