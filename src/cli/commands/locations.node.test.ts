// `nalssi locations`: the configured list from a file, NALSSI_LOCATIONS_FILE or LOCATIONS; --all adds
// the catalog; a bad configuration is a one-line usage error (exit 2).
import { spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const BIN = fileURLToPath(new URL("../../../bin/nalssi.js", import.meta.url));

function nalssi(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== "LOCATIONS" && k !== "NALSSI_LOCATIONS_FILE"));
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...clean, ...env } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => void (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => void (stderr += d.toString()));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, stdout, stderr })));
}

describe("nalssi locations", () => {
  it("lists seoul only by default", async () => {
    const r = await nalssi(["locations", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      configured: [
        { id: "seoul", name: "Seoul (City Hall)", lat: 37.566535, lon: 126.977969, nx: 60, ny: 127, station: { id: "seoul", stn_id: 108, distance_km: 1.2 } },
      ],
    });
  });

  it("reads --locations <file>, NALSSI_LOCATIONS_FILE and LOCATIONS, and --all lists the 96 stations", async () => {
    const dir = await mkdtemp(join(tmpdir(), "nalssi-locations-"));
    const file = join(dir, "locations.json");
    await writeFile(file, JSON.stringify({ locations: ["busan", { id: "haeundae", name: "Haeundae", lat: 35.1587, lon: 129.1604 }] }));
    const ids = (out: string) => (JSON.parse(out) as { configured: { id: string }[] }).configured.map((l) => l.id);
    expect(ids((await nalssi(["locations", "--json", "--locations", file])).stdout)).toEqual(["busan", "haeundae"]);
    expect(ids((await nalssi(["locations", "--json"], { NALSSI_LOCATIONS_FILE: file })).stdout)).toEqual(["busan", "haeundae"]);
    const all = await nalssi(["locations", "--json", "--all"], { LOCATIONS: "jeju,jeju-gosan" });
    const body = JSON.parse(all.stdout) as { configured: { id: string }[]; stations: { id: string; configured: boolean }[] };
    expect(body.configured.map((l) => l.id)).toEqual(["jeju", "jeju-gosan"]);
    expect(body.stations).toHaveLength(96);
    expect(body.stations.filter((s) => s.configured).map((s) => s.id)).toEqual(["jeju", "jeju-gosan"]);
    const text = await nalssi(["locations", "--all"], { LOCATIONS: "busan" });
    expect(text.stdout).toMatch(/1 configured location:\n/);
    expect(text.stdout).toMatch(/96 KMA ASOS stations/);
    expect(text.stdout).toMatch(/\n\s+\*\s+159\s+busan\s/);
  });

  it("exits 2 with one line naming the problem", async () => {
    const r = await nalssi(["locations"], { LOCATIONS: "seoul,pusan" });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'nalssi: usage: LOCATIONS: entry 2: unknown ASOS station "pusan"; did you mean busan, gunsan? (`nalssi locations --all` lists the 96 stations)\n',
    );
    const missing = await nalssi(["locations", "--locations", "/nonexistent/x.json"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("nalssi: usage: --locations /nonexistent/x.json: cannot read the file (ENOENT)\n");
  });
});
