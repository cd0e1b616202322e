import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { TaskPanel } from "@/components/TaskPanel";
import { serviceStatus } from "@/lib/service-status";
import type { Task } from "@/lib/types";

import { fakeFetch, json, router } from "./fake-fetch";

vi.mock("next/navigation", async () => (await import("./fake-fetch")).navigationMock);

function task(id: number, title: string, completed = false): Task {
  return { id, title, description: null, completed, created_at: "2026-01-01T10:00:00Z", updated_at: "2026-01-01T10:00:00Z" };
}

const groceries = task(1, "Buy groceries");
const bills = task(2, "Pay bills", true);

describe("TaskPanel", () => {
  it("lists the tasks with their ids and completion state", async () => {
    fakeFetch({ "GET /api/backend/tasks?status=all": json([groceries, bills]) });
    render(<TaskPanel version={0} />);

    const list = await screen.findByRole("list", { name: "All tasks" });
    const items = within(list).getAllByRole("listitem");
    expect(items.map((item) => item.textContent)).toEqual([
      expect.stringContaining("#1 Buy groceries"),
      expect.stringContaining("#2 Pay bills"),
    ]);
    expect(screen.getByRole("checkbox", { name: "Mark 'Buy groceries' as complete" })).not.toBeChecked();
    expect(screen.getByRole("checkbox", { name: "Mark 'Pay bills' as pending" })).toBeChecked();
  });

  it("filters through the backend and marks the chosen filter as pressed", async () => {
    const requests = fakeFetch({
      "GET /api/backend/tasks?status=all": json([groceries, bills]),
      "GET /api/backend/tasks?status=completed": json([bills]),
    });
    render(<TaskPanel version={0} />);
    await screen.findByText("Buy groceries");

    await userEvent.click(screen.getByRole("button", { name: "Completed" }));

    expect(await screen.findByRole("list", { name: "Completed tasks" })).toBeInTheDocument();
    expect(screen.queryByText("Buy groceries")).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Completed" })).toHaveAttribute("aria-pressed", "true");
    expect(screen.getByRole("button", { name: "All" })).toHaveAttribute("aria-pressed", "false");
    expect(requests.map((request) => request.path)).toContain("/api/backend/tasks?status=completed");
  });

  it("says so when there is nothing to show", async () => {
    fakeFetch({ "GET /api/backend/tasks?status=all": json([]) });
    render(<TaskPanel version={0} />);
    expect(await screen.findByText("No tasks yet. Ask the assistant to add one.")).toBeInTheDocument();
  });

  it("completes a task and shows the reloaded list", async () => {
    const requests = fakeFetch({
      "GET /api/backend/tasks?status=all": [json([groceries]), json([{ ...groceries, completed: true }])],
      "PATCH /api/backend/tasks/1/complete": json({ ...groceries, completed: true }),
    });
    render(<TaskPanel version={0} />);

    await userEvent.click(await screen.findByRole("checkbox", { name: "Mark 'Buy groceries' as complete" }));

    expect(await screen.findByRole("checkbox", { name: "Mark 'Buy groceries' as pending" })).toBeChecked();
    expect(requests.filter((request) => request.method === "PATCH")).toHaveLength(1);
  });

  it("edits a task's title and description", async () => {
    const renamed = { ...groceries, title: "Buy milk", description: "Oat milk" };
    const requests = fakeFetch({
      "GET /api/backend/tasks?status=all": [json([groceries]), json([renamed])],
      "PUT /api/backend/tasks/1": json(renamed),
    });
    render(<TaskPanel version={0} />);
    await userEvent.click(await screen.findByRole("button", { name: "Edit 'Buy groceries'" }));

    const form = screen.getByRole("form", { name: "Edit task #1" });
    const title = within(form).getByRole("textbox", { name: "Title" });
    await userEvent.clear(title);
    await userEvent.type(title, "Buy milk");
    await userEvent.type(within(form).getByRole("textbox", { name: "Description" }), "Oat milk");
    await userEvent.click(within(form).getByRole("button", { name: "Save" }));

    expect(await screen.findByText("Oat milk")).toBeInTheDocument();
    expect(screen.queryByRole("form")).not.toBeInTheDocument();
    expect(requests.find((request) => request.method === "PUT")?.body).toEqual({
      title: "Buy milk",
      description: "Oat milk",
    });
  });

  it("keeps the editor open and shows the backend's reason when saving fails", async () => {
    fakeFetch({
      "GET /api/backend/tasks?status=all": json([groceries]),
      "PUT /api/backend/tasks/1": json({ detail: [{ loc: ["body", "title"], msg: "String should have at most 200 characters" }] }, 422),
    });
    render(<TaskPanel version={0} />);
    await userEvent.click(await screen.findByRole("button", { name: "Edit 'Buy groceries'" }));
    await userEvent.click(screen.getByRole("button", { name: "Save" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("title: String should have at most 200 characters");
    expect(screen.getByRole("form", { name: "Edit task #1" })).toBeInTheDocument();
  });

  it("cancels editing with Escape", async () => {
    fakeFetch({ "GET /api/backend/tasks?status=all": json([groceries]) });
    render(<TaskPanel version={0} />);
    await userEvent.click(await screen.findByRole("button", { name: "Edit 'Buy groceries'" }));
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByRole("form")).not.toBeInTheDocument();
  });

  it("adds a task typed into the panel", async () => {
    const requests = fakeFetch({
      "GET /api/backend/tasks?status=all": [json([]), json([groceries])],
      "POST /api/backend/tasks": json(groceries, 201),
    });
    render(<TaskPanel version={0} />);
    await screen.findByText("No tasks yet. Ask the assistant to add one.");

    const input = screen.getByRole("textbox", { name: "New task" });
    await userEvent.type(input, "  Buy groceries {Enter}");

    expect(await screen.findByText("Buy groceries")).toBeInTheDocument();
    expect(input).toHaveValue("");
    expect(requests.find((request) => request.method === "POST")?.body).toEqual({ title: "Buy groceries" });
  });

  it("deletes a task", async () => {
    const requests = fakeFetch({
      "GET /api/backend/tasks?status=all": [json([groceries, bills]), json([bills])],
      "DELETE /api/backend/tasks/1": new Response(null, { status: 204 }),
    });
    render(<TaskPanel version={0} />);
    await userEvent.click(await screen.findByRole("button", { name: "Delete 'Buy groceries'" }));

    await vi.waitFor(() => expect(screen.queryByText("Buy groceries")).not.toBeInTheDocument());
    expect(requests.some((request) => request.method === "DELETE" && request.path === "/api/backend/tasks/1")).toBe(true);
  });

  it("loads again when the agent acted (a new version)", async () => {
    fakeFetch({ "GET /api/backend/tasks?status=all": [json([]), json([groceries])] });
    const { rerender } = render(<TaskPanel version={0} />);
    await screen.findByText("No tasks yet. Ask the assistant to add one.");

    rerender(<TaskPanel version={1} />);

    expect(await screen.findByText("Buy groceries")).toBeInTheDocument();
  });

  it("leaves an outage to the page's one notice, and shows other failures itself", async () => {
    fakeFetch({
      "GET /api/backend/tasks?status=all": json({ detail: "The task service is unavailable right now." }, 502),
      "GET /api/backend/tasks?status=pending": json({ detail: "Something broke." }, 500),
    });
    render(<TaskPanel version={0} />);
    await vi.waitFor(() => expect(serviceStatus.get().down).toBe(true));
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Pending" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Something broke.");
    await userEvent.click(screen.getByRole("button", { name: "Dismiss this notice" }));
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Tasks" })).toHaveFocus();
  });

  it("sends the user to sign in again, then back to the chat, when the session expired", async () => {
    fakeFetch({ "GET /api/backend/tasks?status=all": json({ detail: "Your session has expired." }, 401) });
    render(<TaskPanel version={0} />);
    expect(await screen.findByRole("alert")).toHaveTextContent("Your session has expired.");
    expect(router.replace).toHaveBeenCalledWith("/sign-in?next=%2Fchat&reason=expired");
  });
});
