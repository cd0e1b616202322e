import { describe, expect, it } from "vitest";

import { safeReturnPath, signInPath } from "@/lib/return-path";

describe("safeReturnPath", () => {
  it("keeps same-site paths", () => {
    expect(safeReturnPath("/chat?c=3")).toBe("/chat?c=3");
  });

  it.each([undefined, "", "https://evil.example", "//evil.example", "/\\evil.example", "chat"])(
    "falls back to /chat for %s",
    (value) => {
      expect(safeReturnPath(value)).toBe("/chat");
    },
  );
});

describe("signInPath", () => {
  it("carries the return path and the reason", () => {
    expect(signInPath("/chat", "expired")).toBe("/sign-in?next=%2Fchat&reason=expired");
  });
});
