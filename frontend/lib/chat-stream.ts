/** One chat turn over POST /api/backend/chat/stream, delivered event by event as the backend writes them. */
import { api, ApiError, errorFrom, UNREACHABLE } from "@/lib/api";
import { serviceStatus } from "@/lib/service-status";
import { SseParser } from "@/lib/sse";
import { summarizeToolCall } from "@/lib/tool-calls";
import type { ChatReply, StreamEvent } from "@/lib/types";

const EVENT_TYPES = new Set(["start", "delta", "tool_call", "tool_result", "done", "error"]);
export const CUT_OFF = "The reply was cut off before it finished. Please try again.";

function toEvent(event: string, data: string): StreamEvent | null {
  if (!EVENT_TYPES.has(event)) return null;
  try {
    return { ...(JSON.parse(data) as object), type: event } as StreamEvent;
  } catch {
    return null;
  }
}

/** A backend without the streaming endpoint answers the whole turn at once: replay it as events. */
function replay(reply: ChatReply, onEvent: (event: StreamEvent) => void): void {
  const calls = reply.tool_calls.map((call, index) => {
    const { ok, text } = summarizeToolCall(call);
    return { call_id: call.call_id || `${index}`, name: call.name, arguments: call.arguments, ok, summary: text };
  });
  onEvent({ type: "start", conversation_id: reply.conversation_id, user_message_id: 0 });
  calls.forEach((call) => onEvent({ type: "tool_result", result: null, ...call }));
  onEvent({ type: "delta", text: reply.response });
  onEvent({ type: "done", conversation_id: reply.conversation_id, message_id: 0, response: reply.response, tool_calls: calls });
}

async function open(body: object, signal: AbortSignal): Promise<Response> {
  try {
    const response = await fetch("/api/backend/chat/stream", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify(body),
      cache: "no-store",
      signal,
    });
    serviceStatus.observe(response.status);
    return response;
  } catch (error) {
    if (signal.aborted) throw error;
    serviceStatus.observe(0);
    throw new ApiError(UNREACHABLE, 0);
  }
}

/**
 * Sends `message` and calls `onEvent` for each event until `done` or `error`.
 * Rejects with an ApiError when the turn could not be sent or was cut off, and with an AbortError on `signal`.
 */
export async function streamChat(
  message: string,
  conversationId: number | null,
  signal: AbortSignal,
  onEvent: (event: StreamEvent) => void,
): Promise<void> {
  const body = conversationId === null ? { message } : { message, conversation_id: conversationId };
  const response = await open(body, signal);
  if (!response.ok || !response.body) {
    const error = await errorFrom(response);
    // FastAPI's answer for a route it does not have (a backend older than streaming), not "Conversation not found".
    const noStreaming = response.status === 405 || (response.status === 404 && error.message === "Not Found");
    if (!noStreaming) throw error;
    return replay(await api.sendMessage(message, conversationId), onEvent);
  }
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const { event, data } of parser.feed(decoder.decode(value, { stream: true }))) {
        const parsed = toEvent(event, data);
        if (!parsed) continue;
        onEvent(parsed);
        if (parsed.type === "done" || parsed.type === "error") return;
      }
    }
  } catch (error) {
    if (signal.aborted) throw error;
  } finally {
    reader.cancel().catch(() => undefined);
  }
  throw new ApiError(CUT_OFF, 0);
}
