import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { ChatPanel } from "@/components/ChatPanel";
import type { ChatReply } from "@/lib/types";

import { fakeFetch, json } from "./fake-fetch";

vi.mock("next/navigation", async () => (await import("./fake-fetch")).navigationMock);

const addedGroceries: ChatReply = {
  conversation_id: 7,
  response: "I've added 'Buy groceries' to your list.",
  tool_calls: [{ name: "add_task", arguments: { title: "Buy groceries" }, result: { task_id: 1, status: "created", title: "Buy groceries" } }],
};

function messageInput(): HTMLElement {
  return screen.getByRole("textbox", { name: "Message" });
}

describe("ChatPanel", () => {
  it("sends on Enter, shows the reply with the actions taken, and reports the turn", async () => {
    const requests = fakeFetch({ "POST /api/backend/chat": json(addedGroceries) });
    const onTurnComplete = vi.fn();
    render(<ChatPanel conversationId={null} onTurnComplete={onTurnComplete} />);

    await userEvent.type(messageInput(), "Add a task to buy groceries{Enter}");

    const log = screen.getByRole("log", { name: "Messages" });
    expect(await within(log).findByText("I've added 'Buy groceries' to your list.")).toBeInTheDocument();
    expect(within(log).getByText("Add a task to buy groceries")).toBeInTheDocument();
    expect(within(log).getByRole("list", { name: "Actions taken" })).toHaveTextContent("✓ Added task #1 'Buy groceries'");
    expect(messageInput()).toHaveValue("");
    expect(requests[0].body).toEqual({ message: "Add a task to buy groceries" });
    expect(onTurnComplete).toHaveBeenCalledWith(addedGroceries);
  });

  it("continues the same conversation on the next message", async () => {
    const requests = fakeFetch({ "POST /api/backend/chat": json(addedGroceries) });
    render(<ChatPanel conversationId={null} onTurnComplete={vi.fn()} />);
    await userEvent.type(messageInput(), "Add a task to buy groceries{Enter}");
    await screen.findByText("I've added 'Buy groceries' to your list.");

    await userEvent.type(messageInput(), "Show me all my tasks{Enter}");

    await vi.waitFor(() => expect(requests).toHaveLength(2));
    expect(requests[1].body).toEqual({ message: "Show me all my tasks", conversation_id: 7 });
  });

  it("inserts a new line on Shift+Enter instead of sending", async () => {
    const requests = fakeFetch({});
    render(<ChatPanel conversationId={null} onTurnComplete={vi.fn()} />);

    await userEvent.type(messageInput(), "first line{Shift>}{Enter}{/Shift}second line");

    expect(messageInput()).toHaveValue("first line\nsecond line");
    expect(requests).toHaveLength(0);
  });

  it("does not send an empty message", async () => {
    const requests = fakeFetch({});
    render(<ChatPanel conversationId={null} onTurnComplete={vi.fn()} />);
    await userEvent.type(messageInput(), "   {Enter}");
    expect(screen.getByRole("button", { name: "Send" })).toBeDisabled();
    expect(requests).toHaveLength(0);
  });

  it("shows a pending state while the assistant works", async () => {
    let answer: (response: Response) => void = () => undefined;
    const slowReply = new Promise<Response>((resolve) => (answer = resolve));
    vi.mocked(fetch).mockReturnValue(slowReply);
    render(<ChatPanel conversationId={null} onTurnComplete={vi.fn()} />);

    await userEvent.type(messageInput(), "Show me all my tasks{Enter}");

    expect(await screen.findByRole("status")).toHaveTextContent("Thinking…");
    expect(screen.getByRole("button", { name: "Sending…" })).toBeDisabled();
    answer(json({ conversation_id: 1, response: "You have no tasks.", tool_calls: [] }));
    expect(await screen.findByText("You have no tasks.")).toBeInTheDocument();
    expect(screen.queryByRole("status")).not.toBeInTheDocument();
  });

  it("keeps the draft and says the service is down when the backend is unreachable", async () => {
    fakeFetch({
      "POST /api/backend/chat": json({ detail: "The task service is unavailable right now. Please try again in a moment." }, 502),
    });
    const onTurnComplete = vi.fn();
    render(<ChatPanel conversationId={null} onTurnComplete={onTurnComplete} />);

    await userEvent.type(messageInput(), "Add a task to buy groceries{Enter}");

    expect(await screen.findByRole("alert")).toHaveTextContent("The task service is unavailable right now.");
    expect(messageInput()).toHaveValue("Add a task to buy groceries");
    expect(within(screen.getByRole("log")).queryByText("Add a task to buy groceries")).not.toBeInTheDocument();
    expect(onTurnComplete).not.toHaveBeenCalled();
  });

  it("reports a network failure the same way", async () => {
    fakeFetch({ "POST /api/backend/chat": new TypeError("Failed to fetch") });
    render(<ChatPanel conversationId={null} onTurnComplete={vi.fn()} />);
    await userEvent.type(messageInput(), "hello{Enter}");
    expect(await screen.findByRole("alert")).toHaveTextContent("The task service is unavailable");
    expect(messageInput()).toHaveValue("hello");
  });

  it("marks failed tool calls distinctly", async () => {
    fakeFetch({
      "POST /api/backend/chat": json({
        conversation_id: 2,
        response: "I couldn't find task 9.",
        tool_calls: [{ name: "complete_task", arguments: { task_id: 9 }, result: '{"error": "Task 9 not found"}' }],
      }),
    });
    render(<ChatPanel conversationId={null} onTurnComplete={vi.fn()} />);
    await userEvent.type(messageInput(), "Mark task 9 as complete{Enter}");
    expect(await screen.findByRole("list", { name: "Actions taken" })).toHaveTextContent("✗ Task 9 not found");
  });

  it("resumes a conversation from its saved history", async () => {
    fakeFetch({
      "GET /api/backend/conversations/3/messages": json([
        { id: 10, role: "user", content: "What's pending?", created_at: "2026-01-01T10:00:00Z" },
        { id: 11, role: "assistant", content: "You have 1 pending task.", created_at: "2026-01-01T10:00:01Z" },
      ]),
    });
    render(<ChatPanel conversationId={3} onTurnComplete={vi.fn()} />);

    const log = screen.getByRole("log", { name: "Messages" });
    expect(await within(log).findByText("You have 1 pending task.")).toBeInTheDocument();
    expect(within(log).getAllByRole("listitem").map((item) => item.textContent)).toEqual([
      "You: What's pending?",
      "Assistant: You have 1 pending task.",
    ]);
  });

  it("starts a new conversation when the one asked for does not exist", async () => {
    const requests = fakeFetch({
      "GET /api/backend/conversations/99/messages": json({ detail: "Conversation not found" }, 404),
      "POST /api/backend/chat": json({ conversation_id: 8, response: "Hello!", tool_calls: [] }),
    });
    render(<ChatPanel conversationId={99} onTurnComplete={vi.fn()} />);

    expect(await screen.findByText(/That conversation could not be found/)).toHaveAttribute("role", "status");
    await userEvent.type(messageInput(), "hello{Enter}");

    expect(await screen.findByText("Hello!")).toBeInTheDocument();
    expect(requests.find((request) => request.method === "POST")?.body).toEqual({ message: "hello" });
    expect(screen.queryByText(/could not be found/)).not.toBeInTheDocument();
  });

  it("offers suggestions that fill the input", async () => {
    fakeFetch({});
    render(<ChatPanel conversationId={null} onTurnComplete={vi.fn()} />);
    await userEvent.click(screen.getByRole("button", { name: "What's pending?" }));
    expect(messageInput()).toHaveValue("What's pending?");
  });
});
