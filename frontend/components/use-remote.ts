"use client";

import { useRouter } from "next/navigation";
import { useCallback, useEffect, useState, useSyncExternalStore } from "react";

import { ApiError } from "@/lib/api";
import { signInPath } from "@/lib/return-path";
import { serviceStatus, type ServiceStatus } from "@/lib/service-status";

/** The backend's reachability as the page last found it (see ConnectionNotice). */
export function useServiceStatus(): ServiceStatus {
  return useSyncExternalStore(serviceStatus.subscribe, serviceStatus.get, serviceStatus.get);
}

/**
 * Returns a handler that turns any API failure into a sentence to show,
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

/** Like useApiErrorHandler, but null when the service is unreachable: the page's one notice says that. */
export function usePanelErrorHandler(): (error: unknown) => string | null {
  const describeError = useApiErrorHandler();
  return useCallback(
    (error: unknown) => (error instanceof ApiError && error.isUnavailable ? null : describeError(error)),
    [describeError],
  );
}

interface RemoteState<T> {
  source?: () => Promise<T>;
  reloadKey?: string | number;
  /** The service recovery count the last settled load ran at. */
  recoveries?: number;
  data?: T;
  error?: string | null;
}

/**
 * Loads data with `load` (a memoized function), and again whenever `load` or `reloadKey` changes, or when the
 * last load failed and the service has come back since. While a new load runs the previous data stays on screen.
 * `error` is a sentence to show, or null for a failure the page's connection notice already reports.
 */
export function useRemote<T>(
  load: () => Promise<T>,
  reloadKey: string | number = 0,
): { data?: T; error?: string | null; loading: boolean } {
  const [state, setState] = useState<RemoteState<T>>({});
  const describeError = usePanelErrorHandler();
  const { recoveries } = useServiceStatus();
  const attempt = state.error !== undefined ? recoveries : (state.recoveries ?? recoveries);
  useEffect(() => {
    let current = true;
    const settled = { source: load, reloadKey, recoveries: attempt };
    load().then(
      (data) => current && setState({ ...settled, data }),
      (error: unknown) => current && setState((previous) => ({ ...previous, ...settled, error: describeError(error) })),
    );
    return () => {
      current = false;
    };
  }, [load, reloadKey, attempt, describeError]);
  const settled = state.source === load && state.reloadKey === reloadKey;
  return { data: state.data, error: settled ? state.error : undefined, loading: !settled };
}

/** Runs a change and reports whether it worked; a list using it loads again after each change. */
export type RunChange = (action: () => Promise<unknown>) => Promise<boolean>;

/**
 * For a panel that changes what it lists: `run` performs a change, keeps its failure as a sentence to show
 * (`error`), and counts changes (`changes`, for useRemote's reloadKey) whether they worked or not.
 */
export function useChanges(): { run: RunChange; error: string | null; changes: number } {
  const [changes, setChanges] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const describeError = usePanelErrorHandler();
  const run = useCallback(
    async (action: () => Promise<unknown>): Promise<boolean> => {
      setError(null);
      try {
        await action();
        return true;
      } catch (failure) {
        setError(describeError(failure));
        return false;
      } finally {
        setChanges((count) => count + 1);
      }
    },
    [describeError],
  );
  return { run, error, changes };
}
