// @vitest-environment node
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

import * as limits from "@/lib/limits";

const models = readFileSync(fileURLToPath(new URL("../../backend/app/models.py", import.meta.url)), "utf8");

function backendLimit(name: string): number {
  const match = new RegExp(`^${name} = (\\d+)`, "m").exec(models);
  if (!match) throw new Error(`${name} not found in backend/app/models.py`);
  return Number(match[1]);
}

describe("input limits", () => {
  it("are the backend's", () => {
    expect(limits.MESSAGE_MAX).toBe(backendLimit("MESSAGE_MAX"));
    expect(limits.TASK_TITLE_MAX).toBe(backendLimit("TITLE_MAX"));
    expect(limits.TASK_DESCRIPTION_MAX).toBe(backendLimit("DESCRIPTION_MAX"));
    expect(limits.CONVERSATION_TITLE_MAX).toBe(backendLimit("CONVERSATION_TITLE_MAX"));
  });
});
