/** Turns the agent's tool calls into one readable line each, e.g. "✓ Added task 'Buy groceries'". */
import type { ToolCall } from "@/lib/types";

export interface ToolSummary {
  ok: boolean;
  text: string;
}

const ACTION_VERBS: Record<string, string> = {
  add_task: "Added",
  complete_task: "Completed",
  delete_task: "Deleted",
  update_task: "Updated",
};

type Result = Record<string, unknown>;

/** Tool results may arrive as JSON text (as the model saw them) or already parsed. */
function parseResult(result: unknown): unknown {
  if (typeof result !== "string") return result;
  try {
    return JSON.parse(result);
  } catch {
    return result;
  }
}

function failureText(result: unknown): string | null {
  if (typeof result === "string") return result;
  if (result && typeof result === "object" && !Array.isArray(result)) {
    const { error, detail } = result as Result;
    if (typeof error === "string") return error;
    if (typeof detail === "string") return detail;
  }
  return null;
}

function describeList(result: unknown, args: Result): string {
  const count = Array.isArray(result) ? result.length : 0;
  const status = typeof args.status === "string" && args.status !== "all" ? `${args.status} ` : "";
  return `Listed ${count} ${status}task${count === 1 ? "" : "s"}`;
}

export function summarizeToolCall(call: Pick<ToolCall, "name" | "arguments"> & { result: unknown }): ToolSummary {
  const result = parseResult(call.result);
  const verb = ACTION_VERBS[call.name];
  if (call.name === "list_tasks" && Array.isArray(result)) {
    return { ok: true, text: describeList(result, call.arguments) };
  }
  if (verb && result && typeof result === "object" && "title" in result) {
    const { title, task_id: taskId } = result as Result;
    return { ok: true, text: `${verb} task #${taskId} '${title}'` };
  }
  return { ok: false, text: failureText(result) ?? `${call.name} did not succeed` };
}
