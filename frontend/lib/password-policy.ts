/** What a new password must be: long enough, not blank, not one of the passwords attackers try first. */
import { COMMON_PASSWORDS } from "@/lib/common-passwords";

export const MIN_PASSWORD_LENGTH = 8;

let common: Set<string> | undefined;

function isCommon(password: string): boolean {
  common ??= new Set(COMMON_PASSWORDS.split("\n").filter(Boolean));
  return common.has(password.toLowerCase());
}

/** Why a password is refused, as one sentence for the person choosing it, or null when it is fine. */
export function passwordProblem(password: string, email = ""): string | null {
  if (password.trim().length < MIN_PASSWORD_LENGTH) {
    return `Choose a password of at least ${MIN_PASSWORD_LENGTH} characters (spaces alone do not count).`;
  }
  const trimmed = password.trim().toLowerCase();
  if (isCommon(trimmed) || (email && trimmed === email.trim().toLowerCase())) {
    return "This password is too common and easy to guess. Please choose another one.";
  }
  return null;
}
