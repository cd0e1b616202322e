/** The chat turns of this visit as a reducer over the stream's events, Stop and failures. */
import type { ToolSummary } from "@/lib/tool-calls";
import type { StoredToolCall, StreamEvent } from "@/lib/types";

export interface ToolBadge extends ToolSummary {
  id: string;
  /** Still running: `ok` and `text` describe the call, not yet its result. */
  running: boolean;
}

export type TurnStatus = "sending" | "streaming" | "done" | "stopped" | "failed";

export interface Turn {
  id: number;
  message: string;
  sentAt: string;
  status: TurnStatus;
  reply: string;
  tools: ToolBadge[];
  /** The conversation the backend stored the turn in (from `start`), null until then. */
  conversationId: number | null;
  /** The stored user message's id (from `start`). */
  userMessageId?: number;
  /** Why the turn failed, as a sentence for the user. */
  error: string | null;
  /** When the reply ended (done or stopped). */
  repliedAt?: string;
}

export type TurnAction =
  | { type: "send"; id: number; message: string; at: string }
  | { type: "event"; id: number; event: StreamEvent; at: string }
  | { type: "stop"; id: number; at: string }
  | { type: "fail"; id: number; error: string }
  | { type: "discard"; id: number };

const TOOL_ACTIVITY: Record<string, string> = {
  add_task: "Adding a task…",
  list_tasks: "Looking at your tasks…",
  complete_task: "Completing a task…",
  update_task: "Updating a task…",
  delete_task: "Deleting a task…",
};

export function storedBadges(calls: StoredToolCall[] | undefined): ToolBadge[] {
  return (calls ?? []).map((call, index) => ({ id: `${index}`, ok: call.ok, text: call.summary, running: false }));
}

function withBadge(tools: ToolBadge[], badge: ToolBadge): ToolBadge[] {
  const index = tools.findIndex((tool) => tool.id === badge.id);
  return index === -1 ? [...tools, badge] : tools.map((tool, i) => (i === index ? badge : tool));
}

function applyEvent(turn: Turn, event: StreamEvent, at: string): Turn {
  switch (event.type) {
    case "start":
      return { ...turn, status: "streaming", conversationId: event.conversation_id, userMessageId: event.user_message_id };
    case "delta":
      return { ...turn, status: "streaming", reply: turn.reply + event.text };
    case "tool_call": {
      const text = TOOL_ACTIVITY[event.name] ?? "Working on it…";
      return { ...turn, tools: withBadge(turn.tools, { id: event.call_id, ok: true, text, running: true }) };
    }
    case "tool_result": {
      const badge = { id: event.call_id, ok: event.ok, text: event.summary, running: false };
      return { ...turn, tools: withBadge(turn.tools, badge) };
    }
    case "done": {
      const tools = event.tool_calls.length > 0 ? storedBadges(event.tool_calls) : turn.tools;
      return { ...turn, status: "done", reply: event.response, tools, conversationId: event.conversation_id, repliedAt: at };
    }
    case "error":
      return { ...turn, status: "failed", error: event.message, conversationId: event.conversation_id ?? turn.conversationId };
  }
}

function update(turns: Turn[], id: number, change: (turn: Turn) => Turn): Turn[] {
  return turns.map((turn) => (turn.id === id ? change(turn) : turn));
}

export function turnsReducer(turns: Turn[], action: TurnAction): Turn[] {
  switch (action.type) {
    case "send": {
      const turn: Turn = { id: action.id, message: action.message, sentAt: action.at, status: "sending", reply: "", tools: [], conversationId: null, error: null };
      return [...turns, turn];
    }
    case "event":
      return update(turns, action.id, (turn) => applyEvent(turn, action.event, action.at));
    case "stop":
      // What was said so far stays (the backend stores it too); running tools are no longer awaited.
      return update(turns, action.id, (turn) => ({
        ...turn,
        status: "stopped",
        tools: turn.tools.filter((tool) => !tool.running),
        repliedAt: action.at,
      }));
    case "fail":
      return update(turns, action.id, (turn) => ({ ...turn, status: "failed", error: action.error }));
    case "discard":
      return turns.filter((turn) => turn.id !== action.id);
  }
}

export const isBusy = (turn: Turn): boolean => turn.status === "sending" || turn.status === "streaming";
