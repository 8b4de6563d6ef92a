// npm run check:lightgbm-wasm — verifies the committed wasm build without rebuilding:
//  - every output file (wasm, glue, LightGBM's licence) matches the sha256 in dist/manifest.json;
//  - the build inputs (tarball integrity, patch sha256, emcc version, flags, exports) still match
//    what the manifest says the files were built from.
// Exit 0: consistent. Exit 1: an output was changed or is missing (tampered or half-committed).
// Exit 3: the inputs changed since the committed build: run `npm run build:lightgbm-wasm`.
import { readFile } from "node:fs/promises";
import { describeInputs, DIST_FILES, distDir, sha256File } from "./inputs.ts";

interface Manifest {
  lightgbmVersion: string;
  lightgbmLicense: { file: string; sha256: string };
  inputs: Awaited<ReturnType<typeof describeInputs>>;
  outputs: Record<string, { sha256: string; bytes: number }>;
}

async function main(): Promise<number> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(new URL("manifest.json", distDir), "utf8")) as Manifest;
  } catch (e) {
    console.error(`check:lightgbm-wasm: cannot read dist/manifest.json: ${(e as Error).message}`);
    return 1;
  }
  const problems: string[] = [];
  const files: [string, string][] = [
    ...DIST_FILES.map((f) => [f, manifest.outputs[f]?.sha256 ?? ""] as [string, string]),
    [manifest.lightgbmLicense.file, manifest.lightgbmLicense.sha256],
  ];
  for (const [file, want] of files) {
    try {
      const got = await sha256File(new URL(file, distDir));
      if (got !== want) problems.push(`${file}: sha256 ${got} but the manifest says ${want || "(nothing)"}`);
    } catch {
      problems.push(`${file}: missing`);
    }
  }
  if (problems.length) {
    console.error(`check:lightgbm-wasm: the committed build does not match its manifest:\n  ${problems.join("\n  ")}`);
    return 1;
  }
  const now = await describeInputs();
  if (now.inputsSha256 !== manifest.inputs.inputsSha256) {
    const changed = (Object.keys(now) as (keyof typeof now)[]).filter(
      (k) => k !== "inputsSha256" && JSON.stringify(now[k]) !== JSON.stringify(manifest.inputs[k]),
    );
    console.error(`check:lightgbm-wasm: build inputs changed since the committed build (${changed.join(", ")}); run npm run build:lightgbm-wasm`);
    return 3;
  }
  const wasm = manifest.outputs["lightgbm.wasm"];
  console.log(
    `lightgbm-wasm OK: LightGBM ${manifest.lightgbmVersion}, emcc ${manifest.inputs.emccVersion}, wasm ${wasm?.bytes} bytes sha256 ${wasm?.sha256.slice(0, 16)}…, inputs ${manifest.inputs.inputsSha256.slice(0, 16)}…`,
  );
  return 0;
}

process.exitCode = await main();
