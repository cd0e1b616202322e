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

export interface ChatMessage {
  id: number;
  role: "user" | "assistant";
  content: string;
  created_at: string;
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
