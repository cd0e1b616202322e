import type { Metadata } from "next";

import { AuthPage, type AuthSearchParams } from "@/components/AuthPage";

export const metadata: Metadata = { title: "Sign in · Todo Chat" };

export default function SignInPage({ searchParams }: { searchParams: AuthSearchParams }) {
  return <AuthPage mode="sign-in" searchParams={searchParams} />;
}
