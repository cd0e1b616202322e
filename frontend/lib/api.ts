/** The browser's client for the backend, always through the same-origin proxy at /api/backend. */
import { serviceStatus } from "@/lib/service-status";
import type { ChatMessage, ChatReply, Conversation, Task, TaskChanges, TaskStatus } from "@/lib/types";

const PROXY_PREFIX = "/api/backend";
export const UNREACHABLE = "The task service can't be reached right now. This page will reconnect by itself.";

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** The backend (or the proxy) is not reachable right now; a notice says so once for the whole page. */
  get isUnavailable(): boolean {
    return serviceStatus.isUnavailable(this.status);
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

/** Said when the backend gives no reason of its own. */
function fallbackSentence(status: number): string {
  if (status === 429) return "Too many requests at once. Please wait a few seconds and try again.";
  if (status >= 500) return "Something went wrong on our side. Please try again in a moment.";
  return "That did not work. Please reload the page and try again.";
}

export async function errorFrom(response: Response): Promise<ApiError> {
  const body: unknown = await response.json().catch(() => null);
  const fields = body && typeof body === "object" ? (body as { detail?: unknown; message?: unknown }) : {};
  // A validation error also carries its first issue as one sentence for a person.
  const detail = typeof fields.message === "string" ? fields.message : describeDetail(fields.detail);
  return new ApiError(detail ?? fallbackSentence(response.status), response.status);
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
    serviceStatus.observe(0);
    throw new ApiError(UNREACHABLE, 0);
  }
  serviceStatus.observe(response.status);
  if (!response.ok) throw await errorFrom(response);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

export const api = {
  listTasks: (filter: TaskStatus) => request<Task[]>(`tasks?status=${filter}`),
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
  renameConversation: (id: number, title: string) =>
    request<Conversation>(`conversations/${id}`, { method: "PATCH", body: { title } }),
  deleteConversation: (id: number) => request<void>(`conversations/${id}`, { method: "DELETE" }),
};

export type Api = typeof api;
