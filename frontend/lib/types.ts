/** Shapes of the backend's JSON (see the product contract's REST API). */

export type TaskFilter = "all" | "pending" | "completed";

export interface Task {
  id: number;
  title: string;
  description: string | null;
  completed: boolean;
  created_at: string;
  updated_at: string;
}

export interface TaskChanges {
  title?: string;
  description?: string | null;
  completed?: boolean;
}

export interface Conversation {
  id: number;
  /** The start of its first message. */
  title: string | null;
  created_at: string;
  updated_at: string;
}

/** What the agent did during a turn, as stored with its reply. */
export interface StoredToolCall {
  name: string;
  arguments: Record<string, unknown>;
  ok: boolean;
  summary: string;
}

export interface ChatMessage {
  id: number;
  role: "user" | "assistant";
  content: string;
  created_at: string;
  /** How an assistant message ended. Absent (like tool_calls) from backends older than the streaming chat. */
  status?: "complete" | "stopped" | "failed";
  tool_calls?: StoredToolCall[];
}

export interface ToolCall {
  name: string;
  arguments: Record<string, unknown>;
  result: unknown;
}

export interface ChatReply {
  conversation_id: number;
  response: string;
  tool_calls: ToolCall[];
}

/** The events of POST /chat/stream (text/event-stream), one per SSE message, `type` being its event name. */
export type StreamEvent =
  | { type: "start"; conversation_id: number; user_message_id: number }
  | { type: "delta"; text: string }
  | { type: "tool_call"; call_id: string; name: string; arguments: Record<string, unknown> }
  | { type: "tool_result"; call_id: string; name: string; ok: boolean; summary: string; result: unknown }
  | { type: "done"; conversation_id: number; message_id: number; response: string; tool_calls: StoredToolCall[] }
  | { type: "error"; code: string; message: string; retryable: boolean; conversation_id?: number; user_message_id?: number };
