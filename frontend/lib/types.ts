/**
 * Shapes of the backend's JSON, named for the UI. The REST models are generated from the backend's OpenAPI
 * document (lib/api-schema.ts, `npm run api:generate`); only the stream's events are spelled out here, because
 * the document gives each event's keys but not their types.
 */
import type { components } from "@/lib/api-schema";

type Schemas = components["schemas"];

/** Which tasks a list shows: the `status` query parameter of GET /tasks. */
export type TaskStatus = Schemas["TaskStatus"];
export type Task = Schemas["TaskPublic"];
export type TaskChanges = Schemas["TaskUpdate"];
export type Conversation = Schemas["ConversationPublic"];
/** What the agent did during a turn, as stored with its reply. */
export type StoredToolCall = Schemas["ToolAction"];
export type ChatMessage = Schemas["MessagePublic"];
export type ToolCall = Schemas["ToolCall"];
export type ChatReply = Schemas["ChatResponse"];

/** The events of POST /chat/stream (text/event-stream), one per SSE message, `type` being its event name. */
export type StreamEvent =
  | { type: "start"; conversation_id: number; user_message_id: number }
  | { type: "delta"; text: string }
  | { type: "tool_call"; call_id: string; name: string; arguments: Record<string, unknown> }
  | { type: "tool_result"; call_id: string; name: string; ok: boolean; summary: string; result: unknown }
  | { type: "done"; conversation_id: number; message_id: number; response: string; tool_calls: StoredToolCall[] }
  | { type: "error"; code: string; message: string; retryable: boolean; conversation_id?: number; user_message_id?: number };
