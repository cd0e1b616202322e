/** The browser's client for the backend, always through the same-origin proxy at /api/backend. */
import type { ChatMessage, ChatReply, Conversation, Task, TaskChanges, TaskFilter } from "@/lib/types";

const PROXY_PREFIX = "/api/backend";
const UNREACHABLE = "The task service is unavailable right now. Please try again in a moment.";

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** The session is gone: the user has to sign in again. */
  get isSessionExpired(): boolean {
    return this.status === 401;
  }
}

interface ValidationIssue {
  loc?: (string | number)[];
  msg?: string;
}

/** One readable sentence from FastAPI's `detail` (a string, or a list of validation issues naming the field). */
function describeDetail(detail: unknown): string | null {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    const issues = (detail as ValidationIssue[]).map((issue) => {
      const field = issue.loc?.filter((part) => part !== "body").join(".");
      return field ? `${field}: ${issue.msg}` : issue.msg;
    });
    return issues.filter(Boolean).join("; ") || null;
  }
  return null;
}

async function errorFrom(response: Response): Promise<ApiError> {
  const body: unknown = await response.json().catch(() => null);
  const detail = body && typeof body === "object" && "detail" in body ? describeDetail(body.detail) : null;
  return new ApiError(detail ?? `The request failed (HTTP ${response.status}).`, response.status);
}

async function request<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${PROXY_PREFIX}/${path}`, {
      method: init.method ?? "GET",
      headers: init.body === undefined ? undefined : { "content-type": "application/json" },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      cache: "no-store",
    });
  } catch {
    throw new ApiError(UNREACHABLE, 0);
  }
  if (!response.ok) throw await errorFrom(response);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

export const api = {
  listTasks: (filter: TaskFilter) => request<Task[]>(`tasks?status=${filter}`),
  createTask: (title: string) => request<Task>("tasks", { method: "POST", body: { title } }),
  updateTask: (id: number, changes: TaskChanges) => request<Task>(`tasks/${id}`, { method: "PUT", body: changes }),
  toggleTask: (id: number) => request<Task>(`tasks/${id}/complete`, { method: "PATCH" }),
  deleteTask: (id: number) => request<void>(`tasks/${id}`, { method: "DELETE" }),
  sendMessage: (message: string, conversationId: number | null) =>
    request<ChatReply>("chat", {
      method: "POST",
      body: conversationId === null ? { message } : { message, conversation_id: conversationId },
    }),
  listConversations: () => request<Conversation[]>("conversations"),
  listMessages: (conversationId: number) => request<ChatMessage[]>(`conversations/${conversationId}/messages`),
};

export type Api = typeof api;
