"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";

import { authClient } from "@/lib/auth-client";

export type AuthMode = "sign-in" | "sign-up";

interface AuthFormProps {
  mode: AuthMode;
  /** Where to go once signed in (already checked to be a same-site path). */
  returnTo: string;
  minPasswordLength: number;
}

interface AuthFailure {
  code?: string;
  message?: string;
  status: number;
}

/** Better Auth's error codes, in words a user can act on. */
function describeFailure(error: AuthFailure, minPasswordLength: number): string {
  switch (error.code) {
    case "INVALID_EMAIL_OR_PASSWORD":
      return "Wrong email or password. Please try again.";
    case "USER_ALREADY_EXISTS":
    case "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL":
      return "An account with this email already exists. Sign in instead, or use another email.";
    case "SIGN_IN_THROTTLED":
    case "WEAK_PASSWORD":
      return error.message ?? "Please choose another password.";
    case "PASSWORD_TOO_SHORT":
      return `The password is too short: use at least ${minPasswordLength} characters.`;
    case "INVALID_EMAIL":
      return "Please enter a valid email address.";
  }
  if (error.status === 429) return "Too many attempts. Please wait a few seconds and try again.";
  return error.message || "Something went wrong. Please try again.";
}

const COPY = {
  "sign-in": {
    title: "Sign in",
    submit: "Sign in",
    busy: "Signing in…",
    switchText: "No account yet?",
    switchLink: "Create one",
  },
  "sign-up": {
    title: "Create your account",
    submit: "Sign up",
    busy: "Creating account…",
    switchText: "Already have an account?",
    switchLink: "Sign in",
  },
} as const;

/**
 * Sign-up answers alike for a new and an already registered email and starts no session (no account
 * enumeration), so the form then signs in with the same credentials: that works for a new account, and for an
 * existing one only with its own password.
 */
async function signUpThenIn(name: string, email: string, password: string, minPasswordLength: number) {
  const { error: refused } = await authClient.signUp.email({ email, password, name });
  if (refused) return describeFailure(refused, minPasswordLength);
  const { error: failure } = await authClient.signIn.email({ email, password });
  if (failure?.status === 401) {
    return "Could not sign you in with these details. If you already have an account with this email, sign in with its password.";
  }
  return failure ? describeFailure(failure, minPasswordLength) : null;
}

export function AuthForm({ mode, returnTo, minPasswordLength }: AuthFormProps) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const copy = COPY[mode];
  const otherMode = mode === "sign-in" ? "sign-up" : "sign-in";

  async function signIn(email: string, password: string): Promise<string | null> {
    const { error: failure } = await authClient.signIn.email({ email, password });
    return failure ? describeFailure(failure, minPasswordLength) : null;
  }

  function signUp(form: FormData, email: string, password: string): Promise<string | null> {
    return signUpThenIn(String(form.get("name")), email, password, minPasswordLength);
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email"));
    const password = String(form.get("password"));
    setBusy(true);
    setError(null);
    const failure = mode === "sign-in" ? await signIn(email, password) : await signUp(form, email, password);
    if (failure) {
      setError(failure);
      setBusy(false);
      return;
    }
    router.replace(returnTo);
    router.refresh();
  }

  return (
    <form className="auth-form" onSubmit={submit} aria-labelledby="auth-heading">
      <h1 id="auth-heading">{copy.title}</h1>
      {mode === "sign-up" && (
        <label>
          Name
          <input name="name" autoComplete="name" required maxLength={100} />
        </label>
      )}
      <label>
        Email
        <input name="email" type="email" autoComplete="email" required />
      </label>
      <label>
        Password
        <input
          name="password"
          type="password"
          autoComplete={mode === "sign-in" ? "current-password" : "new-password"}
          minLength={mode === "sign-up" ? minPasswordLength : undefined}
          aria-describedby={mode === "sign-up" ? "password-hint" : undefined}
          required
        />
      </label>
      {mode === "sign-up" && (
        <p id="password-hint" className="hint">
          At least {minPasswordLength} characters.
        </p>
      )}
      {error && (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="button button--primary button--wide" disabled={busy}>
        {busy ? copy.busy : copy.submit}
      </button>
      <p className="auth-form__switch">
        {copy.switchText}{" "}
        <Link href={`/${otherMode}?next=${encodeURIComponent(returnTo)}`}>{copy.switchLink}</Link>
      </p>
    </form>
  );
}
