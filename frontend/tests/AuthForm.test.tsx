import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { AuthForm } from "@/components/AuthForm";

import { fakeFetch, json, router } from "./fake-fetch";

vi.mock("next/navigation", async () => (await import("./fake-fetch")).navigationMock);

async function fillAndSubmit(fields: Record<string, string>, submit: string) {
  for (const [label, value] of Object.entries(fields)) await userEvent.type(screen.getByLabelText(label), value);
  await userEvent.click(screen.getByRole("button", { name: submit }));
}

describe("AuthForm", () => {
  it("signs in and returns to where the user was heading", async () => {
    const requests = fakeFetch({
      "POST /api/auth/sign-in/email": json({ redirect: false, token: "t", user: { id: "u1", email: "ada@example.com" } }),
    });
    render(<AuthForm mode="sign-in" returnTo="/chat" minPasswordLength={8} />);

    await fillAndSubmit({ Email: "ada@example.com", Password: "correct horse" }, "Sign in");

    await vi.waitFor(() => expect(router.replace).toHaveBeenCalledWith("/chat"));
    expect(requests[0].body).toMatchObject({ email: "ada@example.com", password: "correct horse" });
  });

  it("says so when the password is wrong", async () => {
    fakeFetch({
      "POST /api/auth/sign-in/email": json({ code: "INVALID_EMAIL_OR_PASSWORD", message: "Invalid email or password" }, 401),
    });
    render(<AuthForm mode="sign-in" returnTo="/chat" minPasswordLength={8} />);

    await fillAndSubmit({ Email: "ada@example.com", Password: "wrong password" }, "Sign in");

    expect(await screen.findByRole("alert")).toHaveTextContent("Wrong email or password.");
    expect(router.replace).not.toHaveBeenCalled();
    expect(screen.getByRole("button", { name: "Sign in" })).toBeEnabled();
  });

  it("signs a new account in with the same details, as sign-up itself starts no session", async () => {
    const requests = fakeFetch({
      "POST /api/auth/sign-up/email": json({ token: null, user: { id: "u1", email: "ada@example.com" } }),
      "POST /api/auth/sign-in/email": json({ redirect: false, token: "t", user: { id: "u1", email: "ada@example.com" } }),
    });
    render(<AuthForm mode="sign-up" returnTo="/chat" minPasswordLength={8} />);

    await fillAndSubmit({ Name: "Ada", Email: "ada@example.com", Password: "a long passphrase" }, "Sign up");

    await vi.waitFor(() => expect(router.replace).toHaveBeenCalledWith("/chat"));
    expect(requests.map((request) => request.path)).toEqual(["/api/auth/sign-up/email", "/api/auth/sign-in/email"]);
  });

  it("gives an email that already has an account the same answer and a way forward, never 'taken'", async () => {
    fakeFetch({
      "POST /api/auth/sign-up/email": json({ token: null, user: { id: "synthetic", email: "ada@example.com" } }),
      "POST /api/auth/sign-in/email": json({ code: "INVALID_EMAIL_OR_PASSWORD", message: "Invalid email or password" }, 401),
    });
    render(<AuthForm mode="sign-up" returnTo="/chat" minPasswordLength={8} />);

    await fillAndSubmit({ Name: "Ada", Email: "ada@example.com", Password: "a long passphrase" }, "Sign up");

    expect(await screen.findByRole("alert")).toHaveTextContent(
      "If you already have an account with this email, sign in with its password.",
    );
    expect(router.replace).not.toHaveBeenCalled();
  });

  it("shows the server's sentence for a weak password or a locked account", async () => {
    const sentence = "This password is too common and easy to guess. Please choose another one.";
    fakeFetch({ "POST /api/auth/sign-up/email": json({ code: "WEAK_PASSWORD", message: sentence }, 400) });
    render(<AuthForm mode="sign-up" returnTo="/chat" minPasswordLength={8} />);

    await fillAndSubmit({ Name: "Ada", Email: "ada@example.com", Password: "password1" }, "Sign up");

    expect(await screen.findByRole("alert")).toHaveTextContent(sentence);
  });

  it("explains the minimum password length", async () => {
    fakeFetch({ "POST /api/auth/sign-up/email": json({ code: "PASSWORD_TOO_SHORT", message: "Password too short" }, 400) });
    render(<AuthForm mode="sign-up" returnTo="/chat" minPasswordLength={8} />);

    const password = screen.getByLabelText("Password");
    expect(password).toHaveAccessibleDescription("At least 8 characters.");
    expect(password).toHaveAttribute("minLength", "8");
    // Browsers stop a short password before sending; the server's answer is covered too.
    password.removeAttribute("minLength");
    await fillAndSubmit({ Name: "Ada", Email: "ada@example.com", Password: "short" }, "Sign up");

    expect(await screen.findByRole("alert")).toHaveTextContent("The password is too short: use at least 8 characters.");
  });

  it("asks the user to wait when Better Auth's rate limiter refuses", async () => {
    fakeFetch({ "POST /api/auth/sign-in/email": json({ message: "Too many requests. Please try again later." }, 429) });
    render(<AuthForm mode="sign-in" returnTo="/chat" minPasswordLength={8} />);

    await fillAndSubmit({ Email: "ada@example.com", Password: "correct horse" }, "Sign in");

    expect(await screen.findByRole("alert")).toHaveTextContent("Too many attempts. Please wait a few seconds");
  });

  it("links to the other form and keeps the return path", () => {
    render(<AuthForm mode="sign-in" returnTo="/chat" minPasswordLength={8} />);
    expect(screen.getByRole("link", { name: "Create one" })).toHaveAttribute("href", "/sign-up?next=%2Fchat");
  });
});
