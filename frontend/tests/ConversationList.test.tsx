import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { ConversationList } from "@/components/ConversationList";

import { fakeFetch, json } from "./fake-fetch";

vi.mock("next/navigation", async () => (await import("./fake-fetch")).navigationMock);

const conversations = [
  { id: 4, title: null, created_at: "2026-01-02T10:00:00Z", updated_at: "2026-01-02T10:05:00Z" },
  { id: 2, title: "Groceries", created_at: "2026-01-01T10:00:00Z", updated_at: "2026-01-01T10:05:00Z" },
];

describe("ConversationList", () => {
  it("lists conversations, marks the active one, and resumes the one chosen", async () => {
    fakeFetch({ "GET /api/backend/conversations": json(conversations) });
    const onSelect = vi.fn();
    render(<ConversationList activeId={4} version={0} onSelect={onSelect} />);

    const active = await screen.findByRole("button", { name: /Conversation 4/ });
    expect(active).toHaveAttribute("aria-current", "true");
    await userEvent.click(screen.getByRole("button", { name: /Groceries/ }));
    expect(onSelect).toHaveBeenCalledWith(2);

    await userEvent.click(screen.getByRole("button", { name: "New chat" }));
    expect(onSelect).toHaveBeenLastCalledWith(null);
  });

  it("says when there are none yet", async () => {
    fakeFetch({ "GET /api/backend/conversations": json([]) });
    render(<ConversationList activeId={null} version={0} onSelect={vi.fn()} />);
    expect(await screen.findByText("No conversations yet.")).toBeInTheDocument();
    expect(screen.getByRole("navigation", { name: "Conversations" })).toBeInTheDocument();
  });
});
