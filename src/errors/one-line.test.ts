import { describe, expect, it } from "vitest";
import { errorClassOf, errorMessageOf, oneLine } from "./one-line.ts";

class KindError extends Error {
  override name = "KindError";
  readonly kind = "no-data";
}

describe("errors as one line", () => {
  it("names the class with its kind or code", () => {
    expect(errorClassOf(new KindError("x"))).toBe("KindError:no-data");
    expect(errorClassOf(Object.assign(new Error("x"), { name: "LibsqlError", code: "SQLITE_BUSY" }))).toBe("LibsqlError:SQLITE_BUSY");
    expect(errorClassOf(new TypeError("x"))).toBe("TypeError");
    expect(errorClassOf("a string")).toBe("Error");
    expect(errorClassOf(null)).toBe("Error");
    expect(errorClassOf(Object.assign(new Error("x"), { name: "N".repeat(300) })).length).toBe(200);
  });

  it("makes the message one redacted, bounded line", () => {
    expect(errorMessageOf(new Error("first\n  second\tthird"))).toBe("first second third");
    expect(errorMessageOf(new Error("key s3cret here"), { redact: (t) => t.replace("s3cret", "***") })).toBe("key *** here");
    expect(errorMessageOf(new Error(""))).toBe("(no message)");
    expect(errorMessageOf("x".repeat(50), { max: 10 })).toBe(`${"x".repeat(9)}…`);
    expect(errorMessageOf(new Error("KMA is down\nat stack"), { firstLine: true })).toBe("KMA is down");
    expect(oneLine("  a\n\nb  ")).toBe("a b");
  });
});
