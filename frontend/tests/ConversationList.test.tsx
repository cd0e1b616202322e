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
    render(<ConversationList activeId={4} version={0} onSelect={onSelect} onDeleted={vi.fn()} />);

    const active = await screen.findByRole("button", { name: /^Conversation 4/ });
    expect(active).toHaveAttribute("aria-current", "true");
    await userEvent.click(screen.getByRole("button", { name: /^Groceries/ }));
    expect(onSelect).toHaveBeenCalledWith(2);

    await userEvent.click(screen.getByRole("button", { name: "New chat" }));
    expect(onSelect).toHaveBeenLastCalledWith(null);
  });

  it("says when there are none yet", async () => {
    fakeFetch({ "GET /api/backend/conversations": json([]) });
    render(<ConversationList activeId={null} version={0} onSelect={vi.fn()} onDeleted={vi.fn()} />);
    expect(await screen.findByText("No conversations yet.")).toBeInTheDocument();
    expect(screen.getByRole("navigation", { name: "Conversations" })).toBeInTheDocument();
  });

  it("renames and deletes a conversation", async () => {
    const requests = fakeFetch({
      "GET /api/backend/conversations": json(conversations),
      "PATCH /api/backend/conversations/2": json({ ...conversations[0], title: "Shopping" }),
      "DELETE /api/backend/conversations/2": new Response(null, { status: 204 }),
    });
    const onDeleted = vi.fn();
    vi.spyOn(window, "confirm").mockReturnValue(true);
    render(<ConversationList activeId={2} version={0} onSelect={vi.fn()} onDeleted={onDeleted} />);

    await userEvent.click(await screen.findByRole("button", { name: "Rename 'Groceries'" }));
    const name = screen.getByRole("textbox", { name: "New name" });
    expect(name).toHaveFocus();
    await userEvent.clear(name);
    await userEvent.type(name, "Shopping{Enter}");
    await vi.waitFor(() => expect(requests.find((r) => r.method === "PATCH")?.body).toEqual({ title: "Shopping" }));

    await userEvent.click(await screen.findByRole("button", { name: "Delete 'Groceries'" }));
    await vi.waitFor(() => expect(onDeleted).toHaveBeenCalledWith(2));
    expect(requests.some((r) => r.method === "DELETE" && r.path === "/api/backend/conversations/2")).toBe(true);
  });
});
