import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import axe from "axe-core";
import { describe, expect, it, vi } from "vitest";

import { AuthForm } from "@/components/AuthForm";
import { ChatWorkspace } from "@/components/ChatWorkspace";

import { fakeFetch, json, sse } from "./fake-fetch";

vi.mock("next/navigation", async () => (await import("./fake-fetch")).navigationMock);

/** axe's violations for what is rendered (contrast needs real layout, which jsdom lacks: checked by eye). */
async function violations(container: HTMLElement): Promise<string[]> {
  const results = await axe.run(container, { rules: { "color-contrast": { enabled: false } } });
  return results.violations.map((violation) => `${violation.id}: ${violation.help}`);
}

// axe over a whole page in jsdom takes seconds of CPU: on a busy 2-core machine more than vitest's default 5 s.
describe("accessibility (axe)", { timeout: 60_000 }, () => {
  it("the chat workspace with a conversation, tool results and tasks", async () => {
    fakeFetch({
      "GET /api/backend/tasks?status=all": [
        json([]),
        json([{ id: 1, title: "Buy groceries", description: "Milk", completed: false, created_at: "", updated_at: "" }]),
      ],
      "GET /api/backend/conversations": json([{ id: 5, title: null, created_at: "2026-01-01T10:00:00Z", updated_at: "2026-01-01T10:00:00Z" }]),
      "POST /api/backend/chat/stream": sse([
        ["tool_result", { call_id: "c1", name: "add_task", ok: true, summary: "Added task #1 'Buy groceries'", result: {} }],
        ["done", { conversation_id: 5, message_id: 2, response: "Added it:\n\n- **Buy groceries**", tool_calls: [] }],
      ]),
    });
    const { container } = render(<ChatWorkspace initialConversationId={null} />);
    await userEvent.type(screen.getByRole("textbox", { name: "Message" }), "Add a task to buy groceries{Enter}");
    await screen.findByRole("checkbox", { name: "Mark 'Buy groceries' as complete" });

    expect(await violations(container)).toEqual([]);
  });

  it("the sign-up form with an error", async () => {
    fakeFetch({ "POST /api/auth/sign-up/email": json({ code: "USER_ALREADY_EXISTS", message: "taken" }, 422) });
    const { container } = render(<AuthForm mode="sign-up" returnTo="/chat" minPasswordLength={8} />);
    await userEvent.type(screen.getByLabelText("Name"), "Ada");
    await userEvent.type(screen.getByLabelText("Email"), "ada@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "long enough");
    await userEvent.click(screen.getByRole("button", { name: "Sign up" }));
    await screen.findByRole("alert");

    expect(await violations(container)).toEqual([]);
  });
});
