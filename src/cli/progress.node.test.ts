// The progress display: a cli-progress bar on a terminal, plain lines otherwise.
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { startProgress } from "./progress.ts";

function stream(tty: boolean): NodeJS.WriteStream & { text(): string } {
  const s = new PassThrough() as unknown as NodeJS.WriteStream & { text(): string };
  const chunks: string[] = [];
  (s as unknown as PassThrough).on("data", (c: Buffer) => chunks.push(c.toString("utf8")));
  Object.assign(s, { isTTY: tty, columns: 100, text: () => chunks.join("") });
  return s;
}

describe("progress", () => {
  it("draws a bar with the count and the last step on a terminal", async () => {
    const s = stream(true);
    const p = startProgress("backfill seoul", 3, s);
    p.update(1, "2025-05-01: 24 inserted");
    p.update(3, "2025-05-03: 24 inserted");
    p.stop();
    await new Promise((r) => setTimeout(r, 10));
    const text = s.text();
    expect(text).toContain("backfill seoul [");
    expect(text).toContain("3/3 | 2025-05-03: 24 inserted");
    expect(text).toContain("\u001b["); // cursor control: redrawn in place
  });

  it("writes one plain line per step when not a terminal", async () => {
    const s = stream(false);
    const p = startProgress("backfill seoul", 2, s);
    p.update(1, "2025-05-01: 24 inserted");
    p.update(2, "2025-05-02: no data at KMA");
    p.stop();
    await new Promise((r) => setTimeout(r, 10));
    expect(s.text()).toBe("backfill seoul 1/2: 2025-05-01: 24 inserted\nbackfill seoul 2/2: 2025-05-02: no data at KMA\n");
  });
});
