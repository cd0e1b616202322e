import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { ChatPanel } from "@/components/ChatPanel";
import { MESSAGE_MAX } from "@/lib/api-schema";

import { fakeFetch, json, liveStream, sse } from "./fake-fetch";

vi.mock("next/navigation", async () => (await import("./fake-fetch")).navigationMock);

const STREAM = "POST /api/backend/chat/stream";

const addedGroceries = sse([
  ["start", { conversation_id: 7, user_message_id: 1 }],
  ["tool_call", { call_id: "c1", name: "add_task", arguments: { title: "Buy groceries" } }],
  ["tool_result", { call_id: "c1", name: "add_task", ok: true, summary: "Added task #1 'Buy groceries'", result: {} }],
  ["delta", { text: "I've added " }],
  ["delta", { text: "'Buy groceries' to your list." }],
  [
    "done",
    {
      conversation_id: 7,
      message_id: 2,
      response: "I've added 'Buy groceries' to your list.",
      tool_calls: [{ name: "add_task", arguments: {}, ok: true, summary: "Added task #1 'Buy groceries'" }],
    },
  ],
]);

function callbacks() {
  return { onConversation: vi.fn(), onTasksChanged: vi.fn(), onTurnEnd: vi.fn() };
}

function messageInput(): HTMLElement {
  return screen.getByRole("textbox", { name: "Message" });
}

function log(): HTMLElement {
  return screen.getByRole("log", { name: "Messages" });
}

describe("ChatPanel", () => {
  it("streams the reply with the actions taken, and reports the conversation and task changes", async () => {
    const requests = fakeFetch({ [STREAM]: addedGroceries });
    const events = callbacks();
    render(<ChatPanel conversationId={null} {...events} />);

    await userEvent.type(messageInput(), "Add a task to buy groceries{Enter}");

    expect(await within(log()).findByText("I've added 'Buy groceries' to your list.")).toBeInTheDocument();
    expect(within(log()).getByText("Add a task to buy groceries")).toBeInTheDocument();
    expect(within(log()).getByRole("list", { name: "Actions taken" })).toHaveTextContent("✓ Added task #1 'Buy groceries'");
    expect(messageInput()).toHaveValue("");
    expect(requests[0].body).toEqual({ message: "Add a task to buy groceries" });
    expect(events.onConversation).toHaveBeenCalledWith(7);
    expect(events.onTasksChanged).toHaveBeenCalled();
    expect(events.onTurnEnd).toHaveBeenCalledTimes(1);
  });

  it("shows text as it arrives, and Stop keeps what was said", async () => {
    const stream = liveStream();
    fakeFetch({ [STREAM]: stream.reply });
    const events = callbacks();
    render(<ChatPanel conversationId={null} {...events} />);
    await userEvent.type(messageInput(), "Show me all my tasks{Enter}");
    expect(await within(log()).findByText("Thinking…")).toBeInTheDocument();

    stream.push("start", { conversation_id: 3, user_message_id: 1 });
    stream.push("delta", { text: "Your tasks so far" });
    expect(await within(log()).findByText("Your tasks so far")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Stop" }));

    expect(await within(log()).findByText("Stopped")).toBeInTheDocument();
    expect(within(log()).getByText("Your tasks so far")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Send" })).toBeInTheDocument();
    expect(events.onTurnEnd).toHaveBeenCalled();
  });

  it("continues the same conversation on the next message", async () => {
    const requests = fakeFetch({ [STREAM]: addedGroceries });
    render(<ChatPanel conversationId={null} {...callbacks()} />);
    await userEvent.type(messageInput(), "Add a task to buy groceries{Enter}");
    await screen.findByText("I've added 'Buy groceries' to your list.");

    await userEvent.type(messageInput(), "Show me all my tasks{Enter}");

    await vi.waitFor(() => expect(requests).toHaveLength(2));
    expect(requests[1].body).toEqual({ message: "Show me all my tasks", conversation_id: 7 });
  });

  it("renders Markdown in replies, never raw HTML", async () => {
    fakeFetch({
      [STREAM]: sse([
        ["delta", { text: "Your tasks:\n\n- **Milk**\n- `Bread`\n\n<img src=x onerror=alert(1)>" }],
        ["done", { conversation_id: 1, message_id: 2, response: "Your tasks:\n\n- **Milk**\n- `Bread`\n\n<img src=x onerror=alert(1)>", tool_calls: [] }],
      ]),
    });
    render(<ChatPanel conversationId={null} {...callbacks()} />);
    await userEvent.type(messageInput(), "list{Enter}");

    const items = await within(log()).findAllByText(/Milk|Bread/);
    expect(items[0].tagName).toBe("STRONG");
    expect(items[1].tagName).toBe("CODE");
    expect(items[0].closest("ul")).not.toBeNull();
    expect(log().querySelector("img")).toBeNull();
  });

  it("inserts a new line on Shift+Enter instead of sending", async () => {
    const requests = fakeFetch({});
    render(<ChatPanel conversationId={null} {...callbacks()} />);
    await userEvent.type(messageInput(), "first line{Shift>}{Enter}{/Shift}second line");
    expect(messageInput()).toHaveValue("first line\nsecond line");
    expect(requests).toHaveLength(0);
  });

  it("does not send an empty message, nor one over the limit, and counts characters", async () => {
    const requests = fakeFetch({});
    render(<ChatPanel conversationId={null} {...callbacks()} />);
    await userEvent.type(messageInput(), "   {Enter}");
    expect(screen.getByRole("button", { name: "Send" })).toBeDisabled();

    await userEvent.click(messageInput());
    await userEvent.paste("x".repeat(MESSAGE_MAX + 3));
    expect(screen.getByRole("alert")).toHaveTextContent("3 characters too many");
    expect(screen.getByText(`${MESSAGE_MAX + 3} / ${MESSAGE_MAX}`)).toBeInTheDocument();
    await userEvent.type(messageInput(), "{Enter}");
    expect(screen.getByRole("button", { name: "Send" })).toBeDisabled();
    expect(requests).toHaveLength(0);
  });

  it("says a message was not sent, and Retry sends it again", async () => {
    const requests = fakeFetch({ [STREAM]: [new TypeError("Failed to fetch"), addedGroceries] });
    render(<ChatPanel conversationId={null} {...callbacks()} />);
    await userEvent.type(messageInput(), "Add a task to buy groceries{Enter}");

    expect(await within(log()).findByRole("alert")).toHaveTextContent(/Your message was not sent because .* Press Retry/);
    expect(within(log()).getByText("Not sent")).toBeInTheDocument();
    await userEvent.click(within(log()).getByRole("button", { name: "Retry" }));

    expect(await within(log()).findByText("I've added 'Buy groceries' to your list.")).toBeInTheDocument();
    expect(within(log()).getAllByText("Add a task to buy groceries")).toHaveLength(1);
    expect(within(log()).queryByRole("alert")).not.toBeInTheDocument();
    expect(requests).toHaveLength(2);
  });

  it("shows the backend's sentence when the turn fails midway", async () => {
    fakeFetch({
      [STREAM]: sse([
        ["start", { conversation_id: 1, user_message_id: 1 }],
        ["error", { code: "model_unavailable", message: "The assistant is not answering right now. Try again in a minute.", retryable: true }],
      ]),
    });
    render(<ChatPanel conversationId={null} {...callbacks()} />);
    await userEvent.type(messageInput(), "hello{Enter}");
    expect(await within(log()).findByRole("alert")).toHaveTextContent("The assistant is not answering right now.");
  });

  it("says so when the stream ends before the turn did, keeping what arrived", async () => {
    fakeFetch({ [STREAM]: sse([["start", { conversation_id: 1, user_message_id: 1 }], ["delta", { text: "Half a" }]]) });
    render(<ChatPanel conversationId={null} {...callbacks()} />);
    await userEvent.type(messageInput(), "hello{Enter}");
    expect(await within(log()).findByRole("alert")).toHaveTextContent("The reply was cut off before it finished.");
    expect(within(log()).getByText("Half a")).toBeInTheDocument();
    expect(within(log()).queryByText("Not sent")).not.toBeInTheDocument();
  });

  it("falls back to the whole-turn endpoint on a backend without streaming", async () => {
    fakeFetch({
      [STREAM]: json({ detail: "Not Found" }, 404),
      "POST /api/backend/chat": json({
        conversation_id: 2,
        response: "I couldn't find task 9.",
        tool_calls: [{ name: "complete_task", arguments: { task_id: 9 }, result: '{"error": "Task 9 not found"}' }],
      }),
    });
    render(<ChatPanel conversationId={null} {...callbacks()} />);
    await userEvent.type(messageInput(), "Mark task 9 as complete{Enter}");
    expect(await screen.findByRole("list", { name: "Actions taken" })).toHaveTextContent("✗ Task 9 not found");
    expect(screen.getByText("I couldn't find task 9.")).toBeInTheDocument();
  });

  it("resumes a conversation from its saved history, with the actions stored", async () => {
    fakeFetch({
      "GET /api/backend/conversations/3/messages": json([
        { id: 10, role: "user", content: "Add milk", created_at: "2026-01-01T10:00:00Z" },
        {
          id: 11,
          role: "assistant",
          content: "Added it.",
          created_at: "2026-01-01T10:00:01Z",
          tool_calls: [{ name: "add_task", arguments: {}, ok: true, summary: "Added task #3 'Milk'" }],
        },
      ]),
    });
    render(<ChatPanel conversationId={3} {...callbacks()} />);

    expect(await within(log()).findByText("Added it.")).toBeInTheDocument();
    expect(within(log()).getByRole("list", { name: "Actions taken" })).toHaveTextContent("✓ Added task #3 'Milk'");
    expect(log().querySelectorAll("time[datetime]")).toHaveLength(2);
    expect(within(log()).getAllByRole("button", { name: "Copy message" })).toHaveLength(2);
  });

  it("starts a new conversation when the one asked for does not exist", async () => {
    const requests = fakeFetch({
      "GET /api/backend/conversations/99/messages": json({ detail: "Conversation not found" }, 404),
      [STREAM]: sse([["done", { conversation_id: 8, message_id: 1, response: "Hello!", tool_calls: [] }]]),
    });
    render(<ChatPanel conversationId={99} {...callbacks()} />);

    expect(await screen.findByText(/That conversation could not be found/)).toBeInTheDocument();
    await userEvent.type(messageInput(), "hello{Enter}");

    expect(await screen.findByText("Hello!")).toBeInTheDocument();
    expect(requests.find((request) => request.method === "POST")?.body).toEqual({ message: "hello" });
    expect(screen.queryByText(/could not be found/)).not.toBeInTheDocument();
  });

  it("offers suggestions that fill the input", async () => {
    fakeFetch({});
    render(<ChatPanel conversationId={null} {...callbacks()} />);
    await userEvent.click(screen.getByRole("button", { name: "What's pending?" }));
    expect(messageInput()).toHaveValue("What's pending?");
    expect(messageInput()).toHaveFocus();
  });
});
