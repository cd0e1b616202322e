import { describe, expect, it } from "vitest";

import { summarizeToolCall } from "@/lib/tool-calls";

describe("summarizeToolCall", () => {
  it.each([
    ["add_task", { task_id: 1, status: "created", title: "Buy groceries" }, "Added task #1 'Buy groceries'"],
    ["complete_task", { task_id: 3, status: "completed", title: "Call mom" }, "Completed task #3 'Call mom'"],
    ["delete_task", { task_id: 2, status: "deleted", title: "Meeting" }, "Deleted task #2 'Meeting'"],
    ["update_task", { task_id: 1, status: "updated", title: "Call mom tonight" }, "Updated task #1 'Call mom tonight'"],
  ])("describes %s", (name, result, text) => {
    expect(summarizeToolCall({ name, arguments: {}, result })).toEqual({ ok: true, text });
  });

  it("reads results sent as JSON text", () => {
    const result = JSON.stringify({ task_id: 5, status: "created", title: "Pay bills" });
    expect(summarizeToolCall({ name: "add_task", arguments: {}, result }).text).toBe("Added task #5 'Pay bills'");
  });

  it("counts listed tasks and names the filter", () => {
    const result = [{ id: 1 }, { id: 2 }];
    expect(summarizeToolCall({ name: "list_tasks", arguments: { status: "pending" }, result }).text).toBe(
      "Listed 2 pending tasks",
    );
    expect(summarizeToolCall({ name: "list_tasks", arguments: {}, result: [{ id: 1 }] }).text).toBe("Listed 1 task");
  });

  it("reports failures as not ok with their reason", () => {
    expect(summarizeToolCall({ name: "complete_task", arguments: {}, result: { error: "Task 9 not found" } })).toEqual({
      ok: false,
      text: "Task 9 not found",
    });
    expect(summarizeToolCall({ name: "delete_task", arguments: {}, result: null }).text).toBe("delete_task did not succeed");
  });
});
