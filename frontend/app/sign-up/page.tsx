import type { Metadata } from "next";

import { AuthPage, type AuthSearchParams } from "@/components/AuthPage";

export const metadata: Metadata = { title: "Sign up · Todo Chat" };

export default function SignUpPage({ searchParams }: { searchParams: AuthSearchParams }) {
  return <AuthPage mode="sign-up" searchParams={searchParams} />;
}
