// @vitest-environment node
import { readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";

import { generate, OUTPUT, readDocument } from "../scripts/api-types";

describe("lib/api-schema.ts", () => {
  it("is generated from the backend's committed OpenAPI document", async () => {
    const expected = await generate(readDocument());
    expect(readFileSync(OUTPUT, "utf8"), "run `npm run api:generate`").toBe(expected);
  });
});
