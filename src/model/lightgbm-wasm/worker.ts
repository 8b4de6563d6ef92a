// Loader for Cloudflare Workers (workerd): wrangler and the vitest plugin turn a `.wasm` import into a
// precompiled WebAssembly.Module, because Workers may not compile wasm from bytes at run time.
import wasm from "./dist/lightgbm.wasm";
import { type CreateOptions, LightGBM } from "./lightgbm.ts";

export function loadLightGBM(options?: CreateOptions): Promise<LightGBM> {
  return LightGBM.create(wasm, options);
}
