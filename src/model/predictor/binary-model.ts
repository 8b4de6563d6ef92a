// The compiled form of one or more LightGBM models: the predictor's flat typed arrays (CompactForest)
// and ModelInfo, in a small binary container that loads without parsing text. The LightGBM text stays
// the source of truth: each entry records the SHA-256 of the text it was compiled from, and a reader
// decodes an entry only after checking the container's own checksum (the registry records it).
//
// Layout (all little-endian; every array starts at a multiple of 8 so that it is viewed, not copied):
//   [0, 8)    magic "NLSMODEL"
//   [8, 12)   u32 format version (MODEL_BINARY_VERSION)
//   [12, 16)  u32 byte length H of the header
//   [16, 16+H) UTF-8 JSON header: { entries: [{ name, sourceSha256, info, arrays: { field: [type, offset, length] } }] }
//   then the array data, each array at its offset (from the start of the container), 8-aligned.
// Decoding checks the magic, version, header shape, that every array is where it says and of the type
// and length the forest needs, and that every child link and index points inside the forest (so even
// a container with a valid checksum but wrong contents cannot make the evaluator read out of range).
import type { CompactForest } from "./compact-forest.ts";
import { ModelBinaryError } from "./errors.ts";
import { Model, type ModelInfo, type ModelOptions } from "./model.ts";

export const MODEL_BINARY_MAGIC = "NLSMODEL";
/** Bump when the layout or the meaning of a field changes; readers refuse other versions. */
export const MODEL_BINARY_VERSION = 1;

/** The CompactForest arrays and their element types, in the order they are written. */
const ARRAYS = {
  treeRoot: "i32",
  treeKind: "u8",
  treeNodeStart: "i32",
  splitFeature: "i32",
  threshold: "f64",
  decisionType: "i8",
  leftChild: "i32",
  rightChild: "i32",
  nanChild: "i32",
  zeroChild: "i32",
  catIndex: "i32",
  catBegin: "i32",
  catWords: "i32",
  catThreshold: "u32",
  leafValue: "f64",
  leafConst: "f64",
  leafFeatureStart: "i32",
  leafFeatures: "i32",
  leafCoeff: "f64",
} as const satisfies Record<Exclude<keyof CompactForest, "numTrees">, string>;
type ArrayField = keyof typeof ARRAYS;
type ArrayType = (typeof ARRAYS)[ArrayField];
const FIELDS = Object.keys(ARRAYS) as ArrayField[];
const CTOR = { i32: Int32Array, u8: Uint8Array, i8: Int8Array, u32: Uint32Array, f64: Float64Array } as const;

export interface ModelBinaryEntry {
  /** What the model is, e.g. "model.txt" or "hourly/3". */
  name: string;
  /** Lower-case hex SHA-256 of the LightGBM text the model was compiled from. */
  sourceSha256: string;
  model: Model;
}

interface HeaderEntry {
  name: string;
  sourceSha256: string;
  info: ModelInfo;
  arrays: Record<ArrayField, [ArrayType, number, number]>;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const align8 = (n: number) => (n + 7) & ~7;

/** The container of these models (deterministic: the same models give the same bytes). */
export function encodeModelBinary(entries: readonly ModelBinaryEntry[]): Uint8Array {
  if (!LITTLE_ENDIAN) throw new ModelBinaryError("unsupported", "this platform is big-endian; the compiled model form is little-endian");
  if (entries.length === 0) throw new ModelBinaryError("corrupt", "no models to encode");
  // Offsets depend on the header's length, which depends on the offsets' digits: lay the arrays out
  // relative to the data start, then fix the data start once the header length is stable.
  const relative: { field: ArrayField; rel: number; bytes: Uint8Array }[][] = [];
  let rel = 0;
  for (const e of entries) {
    const list: { field: ArrayField; rel: number; bytes: Uint8Array }[] = [];
    for (const field of FIELDS) {
      const a = e.model.forest[field];
      list.push({ field, rel, bytes: new Uint8Array(a.buffer, a.byteOffset, a.byteLength) });
      rel = align8(rel + a.byteLength);
    }
    relative.push(list);
  }
  const headerFor = (dataStart: number): string =>
    JSON.stringify({
      entries: entries.map((e, k): HeaderEntry => {
        if (!/^[0-9a-f]{64}$/.test(e.sourceSha256)) throw new ModelBinaryError("corrupt", `entry ${e.name}: sourceSha256 is not 64 lower-case hex digits`);
        const arrays = {} as HeaderEntry["arrays"];
        for (const a of relative[k]!) arrays[a.field] = [ARRAYS[a.field], dataStart + a.rel, e.model.forest[a.field].length];
        return { name: e.name, sourceSha256: e.sourceSha256, info: e.model.info, arrays };
      }),
    });
  let dataStart = align8(16 + new TextEncoder().encode(headerFor(0)).length);
  let header = new TextEncoder().encode(headerFor(dataStart));
  while (align8(16 + header.length) !== dataStart) {
    dataStart = align8(16 + header.length);
    header = new TextEncoder().encode(headerFor(dataStart));
  }
  // Non-finite numbers would not survive JSON (NaN, Infinity become null): refuse them here.
  const back = JSON.parse(new TextDecoder().decode(header)) as { entries: HeaderEntry[] };
  back.entries.forEach((b, k) => {
    if (JSON.stringify(b.info) !== JSON.stringify(entries[k]!.model.info) || !sameInfo(b.info, entries[k]!.model.info)) {
      throw new ModelBinaryError("unsupported", `entry ${entries[k]!.name}: its model info does not survive JSON (a non-finite number?)`);
    }
  });
  const out = new Uint8Array(dataStart + rel);
  out.set(new TextEncoder().encode(MODEL_BINARY_MAGIC), 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, MODEL_BINARY_VERSION, true);
  view.setUint32(12, header.length, true);
  out.set(header, 16);
  for (const list of relative) for (const a of list) out.set(a.bytes, dataStart + a.rel);
  return out;
}

/** Deep equality of two JSON-like values, telling -0 from 0 and finite numbers from null. */
function sameInfo(a: unknown, b: unknown): boolean {
  if (typeof a === "number" || typeof b === "number") return Object.is(a, b);
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return a === b;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => sameInfo((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * Decodes a container into its models (views on `bytes`: keep the buffer alive and unchanged).
 * Throws ModelBinaryError naming what is wrong; never returns a half-checked model.
 */
export function decodeModelBinary(bytes: Uint8Array, options: ModelOptions = {}): ModelBinaryEntry[] {
  if (!LITTLE_ENDIAN) throw new ModelBinaryError("unsupported", "this platform is big-endian; the compiled model form is little-endian");
  if (bytes.length < 16) throw new ModelBinaryError("not-compiled-model", `${bytes.length} bytes is too short for the header`);
  for (let i = 0; i < 8; i++) {
    if (bytes[i] !== MODEL_BINARY_MAGIC.charCodeAt(i)) throw new ModelBinaryError("not-compiled-model", `the magic is not "${MODEL_BINARY_MAGIC}"`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== MODEL_BINARY_VERSION) throw new ModelBinaryError("version", `format version ${version}; this code reads ${MODEL_BINARY_VERSION}`);
  const headerLength = view.getUint32(12, true);
  if (16 + headerLength > bytes.length)
    throw new ModelBinaryError("corrupt", `the header claims ${headerLength} bytes; the container has ${bytes.length - 16} after the magic`);
  let header: { entries?: unknown };
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes.subarray(16, 16 + headerLength))) as { entries?: unknown };
  } catch {
    throw new ModelBinaryError("corrupt", "the header is not UTF-8 JSON");
  }
  if (!Array.isArray(header?.entries) || header.entries.length === 0) throw new ModelBinaryError("corrupt", "the header has no entries");
  // Typed-array views need the absolute offset aligned to the element size: copy once if the caller's
  // bytes do not start on an 8-byte boundary (a fresh buffer always does).
  const base = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  return (header.entries as unknown[]).map((raw, k) => decodeEntry(raw, k, base, 16 + headerLength, options));
}

function decodeEntry(raw: unknown, k: number, bytes: Uint8Array, dataStart: number, options: ModelOptions): ModelBinaryEntry {
  const e = raw as Partial<HeaderEntry> | null;
  const where = `entry ${k}`;
  if (typeof e !== "object" || e === null || typeof e.name !== "string" || typeof e.sourceSha256 !== "string" || !/^[0-9a-f]{64}$/.test(e.sourceSha256)) {
    throw new ModelBinaryError("corrupt", `${where}: no name or source checksum`);
  }
  const info = e.info;
  if (
    typeof info !== "object" ||
    info === null ||
    !Array.isArray(info.featureNames) ||
    !info.featureNames.every((n) => typeof n === "string") ||
    typeof info.objective !== "object" ||
    info.objective === null
  ) {
    throw new ModelBinaryError("corrupt", `${where} (${e.name}): the model info is malformed`);
  }
  const ints = ["numClass", "numTreePerIteration", "numTrees", "numIterations", "numNodes", "numLeaves"] as const;
  for (const key of ints)
    if (!Number.isInteger(info[key]) || info[key] < 0) throw new ModelBinaryError("corrupt", `${where} (${e.name}): info.${key} is not a count`);
  const arrays = {} as Record<ArrayField, Int32Array | Uint8Array | Int8Array | Uint32Array | Float64Array>;
  for (const field of FIELDS) {
    const spec = e.arrays?.[field];
    if (!Array.isArray(spec) || spec.length !== 3 || spec[0] !== ARRAYS[field] || !Number.isInteger(spec[1]) || !Number.isInteger(spec[2])) {
      throw new ModelBinaryError("corrupt", `${where} (${e.name}): array ${field} is not described as [${ARRAYS[field]}, offset, length]`);
    }
    const [type, offset, length] = spec;
    const C = CTOR[type];
    if (offset < dataStart || offset % 8 !== 0 || length < 0 || offset + length * C.BYTES_PER_ELEMENT > bytes.length) {
      throw new ModelBinaryError("corrupt", `${where} (${e.name}): array ${field} (offset ${offset}, ${length} values) is outside the data`);
    }
    arrays[field] = new C(bytes.buffer as ArrayBuffer, bytes.byteOffset + offset, length);
  }
  const forest = { numTrees: info.numTrees, ...arrays } as CompactForest;
  checkForest(forest, info, `${where} (${e.name})`);
  return { name: e.name, sourceSha256: e.sourceSha256, model: new Model(info, forest, options) };
}

/** The array lengths and every index the evaluators follow, against the forest's own sizes. */
function checkForest(f: CompactForest, info: ModelInfo, where: string): void {
  const nodes = f.splitFeature.length;
  const leaves = f.leafValue.length;
  const cats = f.catBegin.length;
  const bad = (what: string) => new ModelBinaryError("corrupt", `${where}: ${what}`);
  if (f.treeRoot.length !== f.numTrees || f.treeKind.length !== f.numTrees || f.treeNodeStart.length !== f.numTrees + 1)
    throw bad("per-tree arrays do not have numTrees entries");
  if (info.numNodes !== nodes || info.numLeaves !== leaves)
    throw bad(`info says ${info.numNodes} nodes and ${info.numLeaves} leaves, the arrays hold ${nodes} and ${leaves}`);
  if (info.numTreePerIteration < 1 || info.numTrees !== info.numIterations * info.numTreePerIteration)
    throw bad("numTrees is not numIterations x numTreePerIteration");
  for (const a of [f.threshold, f.decisionType, f.leftChild, f.rightChild, f.nanChild, f.zeroChild, f.catIndex] as const)
    if (a.length !== nodes) throw bad("per-node arrays differ in length");
  if (f.leafConst.length !== leaves || f.leafFeatureStart.length !== leaves + 1 || f.catWords.length !== cats)
    throw bad("per-leaf or per-category arrays differ in length");
  if (f.leafFeatures.length !== f.leafCoeff.length || f.leafFeatureStart[leaves] !== f.leafFeatures.length) throw bad("linear-leaf terms do not add up");
  const numFeatures = info.featureNames.length;
  let previous = 0;
  for (let t = 0; t <= f.numTrees; t++) {
    const s = f.treeNodeStart[t]!;
    if (s < previous || s > nodes || (t === 0 && s !== 0) || (t === f.numTrees && s !== nodes)) throw bad(`treeNodeStart[${t}] is out of order`);
    previous = s;
  }
  for (let c = 0; c < cats; c++) {
    if (f.catBegin[c]! < 0 || f.catWords[c]! < 0 || f.catBegin[c]! + f.catWords[c]! > f.catThreshold.length)
      throw bad(`categorical bitset ${c} is outside the bitsets`);
  }
  // LightGBM numbers a tree's internal nodes in split order, so a child node comes after its parent
  // and inside the same tree: links that only go forward cannot loop, and a walk always ends in a leaf.
  for (let t = 0; t < f.numTrees; t++) {
    const start = f.treeNodeStart[t]!;
    const end = f.treeNodeStart[t + 1]!;
    const root = f.treeRoot[t]!;
    if (start === end ? !(root < 0 && ~root < leaves) : root !== start) throw bad(`tree ${t}'s root is not its first node`);
    const link = (n: number, c: number) => (c >= 0 ? c > n && c < end : ~c < leaves);
    for (let n = start; n < end; n++) {
      const feat = f.splitFeature[n]!;
      if (feat < 0 || feat >= numFeatures) throw bad(`node ${n} splits on feature ${feat} of ${numFeatures}`);
      if (!link(n, f.leftChild[n]!) || !link(n, f.rightChild[n]!) || !link(n, f.nanChild[n]!) || !link(n, f.zeroChild[n]!))
        throw bad(`node ${n} links backwards or outside its tree`);
      const c = f.catIndex[n]!;
      if (c < -1 || c >= cats) throw bad(`node ${n} names categorical bitset ${c} of ${cats}`);
    }
  }
  for (let l = 0; l < leaves; l++) {
    const s = f.leafFeatureStart[l]!;
    if (s < 0 || s > f.leafFeatureStart[l + 1]!) throw bad(`leafFeatureStart[${l}] is out of order`);
  }
  for (const j of f.leafFeatures) if (j < 0 || j >= numFeatures) throw bad(`a linear leaf reads feature ${j} of ${numFeatures}`);
}
