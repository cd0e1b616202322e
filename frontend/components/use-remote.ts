"use client";

import { useRouter } from "next/navigation";
import { useCallback, useEffect, useState } from "react";

import { ApiError } from "@/lib/api";
import { signInPath } from "@/lib/return-path";

/**
 * Returns a handler that turns any API failure into a message to show,
 * and sends the user to sign in again (then back here) when the session has expired.
 */
export function useApiErrorHandler(): (error: unknown) => string {
  const router = useRouter();
  return useCallback(
    (error: unknown) => {
      if (error instanceof ApiError && error.isSessionExpired) {
        router.replace(signInPath(window.location.pathname + window.location.search, "expired"));
      }
      return error instanceof Error ? error.message : "Something went wrong. Please try again.";
    },
    [router],
  );
}

interface RemoteState<T> {
  source?: () => Promise<T>;
  reloadKey?: string | number;
  data?: T;
  error?: string;
}

/**
 * Loads data with `load` (a memoized function), and again whenever `load` or `reloadKey` changes.
 * While a new load runs the previous data stays on screen and `loading` is true.
 */
export function useRemote<T>(
  load: () => Promise<T>,
  reloadKey: string | number = 0,
): { data?: T; error?: string; loading: boolean } {
  const [state, setState] = useState<RemoteState<T>>({});
  const describeError = useApiErrorHandler();
  useEffect(() => {
    let current = true;
    load().then(
      (data) => current && setState({ source: load, reloadKey, data }),
      (error: unknown) =>
        current && setState((previous) => ({ ...previous, source: load, reloadKey, error: describeError(error) })),
    );
    return () => {
      current = false;
    };
  }, [load, reloadKey, describeError]);
  const settled = state.source === load && state.reloadKey === reloadKey;
  return { data: state.data, error: settled ? state.error : undefined, loading: !settled };
}
