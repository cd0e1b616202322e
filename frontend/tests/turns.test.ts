import { describe, expect, it } from "vitest";

import { type Turn, type TurnAction, turnsReducer } from "@/lib/turns";
import type { StreamEvent } from "@/lib/types";

const AT = "2026-01-01T10:00:00Z";

function run(actions: TurnAction[]): Turn {
  return actions.reduce(turnsReducer, [])[0];
}

const event = (e: StreamEvent): TurnAction => ({ type: "event", id: 0, event: e, at: AT });
const send: TurnAction = { type: "send", id: 0, message: "Add milk", at: AT };

describe("turnsReducer", () => {
  it("builds the reply from deltas and badges from tool events", () => {
    const turn = run([
      send,
      event({ type: "start", conversation_id: 4, user_message_id: 9 }),
      event({ type: "tool_call", call_id: "c1", name: "add_task", arguments: { title: "Milk" } }),
      event({ type: "delta", text: "Added " }),
    ]);
    expect(turn).toMatchObject({ status: "streaming", conversationId: 4, reply: "Added " });
    expect(turn.tools).toEqual([{ id: "c1", ok: true, text: "Adding a task…", running: true }]);

    const after = turnsReducer(
      [turn],
      event({ type: "tool_result", call_id: "c1", name: "add_task", ok: true, summary: "Added task #3", result: {} }),
    )[0];
    expect(after.tools).toEqual([{ id: "c1", ok: true, text: "Added task #3", running: false }]);
  });

  it("takes the final text and tool calls from done", () => {
    const turn = run([
      send,
      event({ type: "delta", text: "Add" }),
      event({
        type: "done",
        conversation_id: 4,
        message_id: 12,
        response: "Added 'Milk'.",
        tool_calls: [{ call_id: "c1", name: "add_task", arguments: {}, ok: true, summary: "Added task #3" }],
      }),
    ]);
    expect(turn).toMatchObject({ status: "done", reply: "Added 'Milk'.", repliedAt: AT });
    expect(turn.tools.map((tool) => tool.text)).toEqual(["Added task #3"]);
  });

  it("keeps the partial reply after Stop and drops tools still running", () => {
    const turn = run([
      send,
      event({ type: "delta", text: "Your tasks" }),
      event({ type: "tool_call", call_id: "c2", name: "list_tasks", arguments: {} }),
      { type: "stop", id: 0, at: AT },
    ]);
    expect(turn).toMatchObject({ status: "stopped", reply: "Your tasks", tools: [] });
  });

  it("records the backend's error sentence, and a failure of its own", () => {
    expect(run([send, event({ type: "error", code: "model", message: "The assistant is busy.", retryable: true })])).toMatchObject({
      status: "failed",
      error: "The assistant is busy.",
    });
    expect(run([send, { type: "fail", id: 0, error: "Not sent." }])).toMatchObject({ status: "failed", error: "Not sent." });
  });

  it("discards a turn (before it is sent again)", () => {
    expect([send, { type: "discard", id: 0 } as TurnAction].reduce(turnsReducer, [])).toEqual([]);
  });
});
