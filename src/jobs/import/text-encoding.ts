// The encoding of an imported CSV: valid UTF-8 (with or without a BOM) is read as UTF-8; anything
// else is tried as CP949/EUC-KR (what the KMA data portal and Korean Excel write), decoded with the
// platform's TextDecoder('euc-kr') — the WHATWG decoder, which is Windows code page 949, a superset
// of EUC-KR. Bytes that are neither are refused instead of being turned into U+FFFD.

export type CsvEncoding = "utf-8" | "cp949";

export class TextEncodingError extends Error {
  override name = "TextEncodingError";
}

export function decodeCsvBytes(bytes: Uint8Array): { text: string; encoding: CsvEncoding } {
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes), encoding: "utf-8" };
  } catch {
    // not UTF-8
  }
  try {
    return { text: new TextDecoder("euc-kr", { fatal: true }).decode(bytes), encoding: "cp949" };
  } catch {
    throw new TextEncodingError("the file is neither valid UTF-8 nor valid CP949/EUC-KR text");
  }
}
