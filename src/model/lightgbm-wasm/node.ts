// Loader for Node and Deno: reads dist/lightgbm.wasm next to this file and compiles it once per process.
import { readFile } from "node:fs/promises";
import { type CreateOptions, LightGBM } from "./lightgbm.ts";

let compiled: Promise<WebAssembly.Module> | undefined;

export function compileLightGBMWasm(): Promise<WebAssembly.Module> {
  compiled ??= readFile(new URL("./dist/lightgbm.wasm", import.meta.url)).then((bytes) => WebAssembly.compile(bytes));
  return compiled;
}

/** A new, independent LightGBM instance. */
export async function loadLightGBM(options?: CreateOptions): Promise<LightGBM> {
  return LightGBM.create(await compileLightGBMWasm(), options);
}
