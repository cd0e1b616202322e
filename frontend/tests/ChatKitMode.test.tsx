import { act, render, screen, within } from "@testing-library/react";
import type { ChatKitOptions, CustomApiConfig } from "@openai/chatkit";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

import ChatPage from "@/app/chat/page";
import { CHATKIT_SCRIPT, CHATKIT_URL } from "@/lib/chatkit";
import { ConfigError, readChatUi } from "@/lib/config";

import { fakeFetch, json } from "./fake-fetch";

vi.mock("next/navigation", async () => (await import("./fake-fetch")).navigationMock);
vi.mock("next/headers", () => ({ headers: async () => new Headers({ cookie: "session=abc" }) }));
vi.mock("@/lib/auth", () => ({ getSessionUser: async () => ({ email: "ada@example.com" }) }));

/**
 * A stand-in for the web component OpenAI serves from its CDN (unreachable here): it keeps the options the
 * real React bindings give it, so the tests see exactly what ChatKit would be told.
 */
class FakeChatKitElement extends HTMLElement {
  options: ChatKitOptions | null = null;
  setOptions(options: ChatKitOptions) {
    this.options = options;
  }
}

beforeAll(() => customElements.define("openai-chatkit", FakeChatKitElement));

afterEach(() => {
  vi.unstubAllEnvs();
});

function chatkitElement(): FakeChatKitElement {
  const element = document.querySelector("openai-chatkit");
  expect(element).toBeInstanceOf(FakeChatKitElement);
  return element as FakeChatKitElement;
}

async function renderPage() {
  render(await ChatPage({ searchParams: Promise.resolve({}) }));
}

describe("CHAT_UI", () => {
  it("is the project's own UI by default", () => {
    expect(readChatUi()).toEqual({ mode: "default" });
  });

  it("needs a domain key for ChatKit, and refuses unknown modes", () => {
    vi.stubEnv("CHAT_UI", "chatkit");
    expect(() => readChatUi()).toThrow(/CHATKIT_DOMAIN_KEY is not set/);
    vi.stubEnv("CHATKIT_DOMAIN_KEY", "domain_pk_test");
    expect(readChatUi()).toEqual({ mode: "chatkit", domainKey: "domain_pk_test" });
    vi.stubEnv("CHAT_UI", "chatgpt");
    expect(() => readChatUi()).toThrow(ConfigError);
  });
});

// The whole page renders (both UIs' modules load on first use): more than the default 5 s on a busy machine.
describe("the chat page", { timeout: 30_000 }, () => {
  it("renders the project's own chat by default, without ChatKit", async () => {
    fakeFetch({ "GET /api/backend/tasks?status=all": json([]), "GET /api/backend/conversations": json([]) });
    await renderPage();
    expect(await screen.findByRole("textbox", { name: "Message" })).toBeInTheDocument();
    await screen.findByText("No tasks yet. Ask the assistant to add one.");
    expect(document.querySelector("openai-chatkit")).toBeNull();
    expect(document.querySelector(`script[src="${CHATKIT_SCRIPT}"]`)).toBeNull();
  });

  it("in ChatKit mode renders ChatKit on the proxy URL beside the tasks, with no token anywhere", async () => {
    vi.stubEnv("CHAT_UI", "chatkit");
    vi.stubEnv("CHATKIT_DOMAIN_KEY", "domain_pk_test");
    const requests = fakeFetch({
      "GET /api/backend/tasks?status=all": json([]),
      "POST /api/backend/chatkit": json({ data: [], has_more: false }),
    });
    await renderPage();
    const chat = screen.getByRole("region", { name: "Chat" });
    expect(within(chat).queryByRole("textbox", { name: "Message" })).toBeNull();
    await screen.findByText("No tasks yet. Ask the assistant to add one.");

    const api = chatkitElement().options?.api as CustomApiConfig;
    expect(api.url).toBe(CHATKIT_URL);
    expect(api.domainKey).toBe("domain_pk_test");
    // ChatKit's requests carry the session cookie to our proxy, never a token or an Authorization header
    await api.fetch!(CHATKIT_URL, { method: "POST", body: JSON.stringify({ type: "threads.list", params: {} }) });
    const init = vi.mocked(fetch).mock.calls.at(-1)![1]!;
    expect(init.credentials).toBe("same-origin");
    expect(new Headers(init.headers).has("authorization")).toBe(false);
    expect(requests.at(-1)).toMatchObject({ method: "POST", path: "/api/backend/chatkit" });
    expect(JSON.stringify(chatkitElement().options)).not.toMatch(/bearer|token|secret/i);
  });

  it("refreshes the task panel when a tool changed the tasks and when a reply ends", async () => {
    vi.stubEnv("CHAT_UI", "chatkit");
    vi.stubEnv("CHATKIT_DOMAIN_KEY", "domain_pk_test");
    const milk = {
      id: 1,
      title: "Buy milk",
      description: null,
      completed: false,
      created_at: "2026-01-01T10:00:00Z",
      updated_at: "2026-01-01T10:00:00Z",
    };
    const requests = fakeFetch({ "GET /api/backend/tasks?status=all": [json([]), json([milk])] });
    await renderPage();
    await screen.findByText("No tasks yet. Ask the assistant to add one.");
    const taskLoads = () => requests.filter((request) => request.path.startsWith("/api/backend/tasks")).length;
    const before = taskLoads();

    const emit = (name: string, detail?: object) =>
      act(async () => void chatkitElement().dispatchEvent(new CustomEvent(name, { detail })));
    await emit("chatkit.effect", { name: "something_else" });
    expect(taskLoads()).toBe(before);
    await emit("chatkit.effect", { name: "tasks_changed" });
    expect(await screen.findByText("Buy milk")).toBeInTheDocument();
    await emit("chatkit.response.end");
    await vi.waitFor(() => expect(taskLoads()).toBe(before + 2));
  });
});
