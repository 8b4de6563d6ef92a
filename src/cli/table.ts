// Plain-text tables for CLI output: a header row, columns padded to their widest cell, two spaces
// between columns, right-aligned where asked (numbers).

export interface Column {
  header: string;
  align?: "left" | "right";
}

/** Lines of the table (no trailing newline). Cells are one line each; the last column is not padded. */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string[] {
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => {
        const last = i === columns.length - 1;
        if (columns[i]!.align === "right") return cell.padStart(widths[i]!);
        return last ? cell : cell.padEnd(widths[i]!);
      })
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...rows.map((r) => line(columns.map((_, i) => (r[i] ?? "").replace(/\s+/g, " "))))];
}

/** 95 s -> '1m 35s'; 42 s -> '42s'; 3720 s -> '1h 02m'; null -> '-'. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return "-";
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

export function formatNumber(v: number | null | undefined, digits = 3): string {
  return v === null || v === undefined || !Number.isFinite(v) ? "-" : v.toFixed(digits);
}

export function formatSigned(v: number | null | undefined, digits = 3): string {
  return v === null || v === undefined || !Number.isFinite(v) ? "-" : `${v >= 0 ? "+" : ""}${v.toFixed(digits)}`;
}
