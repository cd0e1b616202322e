import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { ChatWorkspace } from "@/components/ChatWorkspace";

import { fakeFetch, json, sse } from "./fake-fetch";

vi.mock("next/navigation", async () => (await import("./fake-fetch")).navigationMock);

const groceries = {
  id: 1,
  title: "Buy groceries",
  description: null,
  completed: false,
  created_at: "2026-01-01T10:00:00Z",
  updated_at: "2026-01-01T10:00:00Z",
};
const conversation = { id: 5, title: null, created_at: "2026-01-01T10:00:00Z", updated_at: "2026-01-01T10:00:00Z" };

describe("ChatWorkspace", () => {
  it("refreshes tasks and conversations after the agent acts, and keeps the conversation in the address", async () => {
    fakeFetch({
      "GET /api/backend/tasks?status=all": [json([]), json([groceries])],
      "GET /api/backend/conversations": [json([]), json([conversation])],
      "POST /api/backend/chat/stream": sse([
        ["start", { conversation_id: 5, user_message_id: 1 }],
        ["tool_result", { call_id: "c1", name: "add_task", ok: true, summary: "Added task #1 'Buy groceries'", result: {} }],
        ["done", { conversation_id: 5, message_id: 2, response: "Added it.", tool_calls: [] }],
      ]),
    });
    render(<ChatWorkspace initialConversationId={null} />);
    await screen.findByText("No tasks yet. Ask the assistant to add one.");

    await userEvent.type(screen.getByRole("textbox", { name: "Message" }), "Add a task to buy groceries{Enter}");

    const tasks = screen.getByRole("complementary", { name: "Tasks" });
    expect(await within(tasks).findByText("Buy groceries")).toBeInTheDocument();
    const conversations = screen.getByRole("navigation", { name: "Conversations" });
    expect(await within(conversations).findByRole("button", { name: /^Conversation 5/ })).toHaveAttribute(
      "aria-current",
      "true",
    );
    expect(window.location.search).toBe("?c=5");
  });

  it("resumes the conversation named in the address and starts a new one on request", async () => {
    fakeFetch({
      "GET /api/backend/tasks?status=all": json([]),
      "GET /api/backend/conversations": json([conversation]),
      "GET /api/backend/conversations/5/messages": json([
        { id: 1, role: "user", content: "Add a task to buy groceries", created_at: "2026-01-01T10:00:00Z" },
      ]),
    });
    render(<ChatWorkspace initialConversationId={5} />);
    const log = screen.getByRole("log", { name: "Messages" });
    expect(await within(log).findByText("Add a task to buy groceries")).toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "New chat" }));

    expect(within(screen.getByRole("log", { name: "Messages" })).queryAllByRole("listitem")).toHaveLength(0);
    expect(window.location.pathname + window.location.search).toBe("/chat");
    expect(screen.getByRole("textbox", { name: "Message" })).toHaveFocus();
  });

  it("switches panels on a narrow screen, and back to the chat when a conversation is picked", async () => {
    fakeFetch({
      "GET /api/backend/tasks?status=all": json([]),
      "GET /api/backend/conversations": json([conversation]),
      "GET /api/backend/conversations/5/messages": json([]),
    });
    render(<ChatWorkspace initialConversationId={null} />);
    const switcher = screen.getByRole("navigation", { name: "Panels" });
    await userEvent.click(within(switcher).getByRole("button", { name: "Conversations" }));
    expect(within(switcher).getByRole("button", { name: "Conversations" })).toHaveAttribute("aria-pressed", "true");

    await userEvent.click(await screen.findByRole("button", { name: /^Conversation 5/ }));
    expect(within(switcher).getByRole("button", { name: "Chat" })).toHaveAttribute("aria-pressed", "true");
    expect(window.location.search).toBe("?c=5");
  });

  it("says once that the service is down, and recovers by itself: the conversation in the address shows", async () => {
    const down = () => json({ detail: "The task service is unavailable right now." }, 502);
    fakeFetch({
      "GET /api/backend/tasks?status=all": [down(), json([groceries])],
      "GET /api/backend/conversations": [down(), down(), json([conversation])],
      "GET /api/backend/conversations/5/messages": [down(), json([{ id: 1, role: "user", content: "Buy milk", created_at: "2026-01-01T10:00:00Z" }])],
    });
    render(<ChatWorkspace initialConversationId={5} />);

    const alerts = await screen.findAllByRole("alert");
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toHaveTextContent("The task service can't be reached right now.");

    const log = screen.getByRole("log", { name: "Messages" });
    expect(await within(log).findByText("Buy milk", {}, { timeout: 5_000 })).toBeInTheDocument();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
    expect(await screen.findByText("Buy groceries")).toBeInTheDocument();
  });

  it("shows each message once when the history loads after a turn of this visit", async () => {
    const down = () => json({ detail: "The task service is unavailable right now." }, 502);
    fakeFetch({
      "GET /api/backend/tasks?status=all": [down(), json([])],
      "GET /api/backend/conversations": [down(), json([conversation])],
      "GET /api/backend/conversations/5/messages": [
        down(),
        json([
          { id: 1, role: "user", content: "hello", created_at: "2026-01-01T10:00:00Z" },
          { id: 2, role: "assistant", content: "Hi there!", created_at: "2026-01-01T10:00:01Z" },
        ]),
      ],
      "POST /api/backend/chat/stream": sse([
        ["start", { conversation_id: 5, user_message_id: 1 }],
        ["done", { conversation_id: 5, message_id: 2, response: "Hi there!", tool_calls: [] }],
      ]),
    });
    render(<ChatWorkspace initialConversationId={5} />);
    await screen.findByRole("alert");
    await userEvent.type(screen.getByRole("textbox", { name: "Message" }), "hello{Enter}");

    const log = screen.getByRole("log", { name: "Messages" });
    await vi.waitFor(() => expect(within(log).getAllByText("Hi there!")).toHaveLength(1));
    await vi.waitFor(() => expect(log.querySelectorAll("time")).toHaveLength(2));
    expect(within(log).getAllByText("hello")).toHaveLength(1);
  });
});
