"use client";

import { useEffect, useState } from "react";

import { Notice } from "@/components/Notice";
import { useServiceStatus } from "@/components/use-remote";
import { api } from "@/lib/api";

const FIRST_CHECK_MS = 1_000;
const LONGEST_WAIT_MS = 10_000;

/**
 * The page's one notice while the task service cannot be reached. It checks again by itself, waiting longer
 * each time (1 s, 2 s, 4 s, ... up to 10 s); the first answer clears it and reloads what failed to load.
 */
export function ConnectionNotice() {
  const { down, recoveries } = useServiceStatus();
  // Dismissing hides this outage only: the next one (after a recovery) is shown again.
  const [dismissedOutage, setDismissedOutage] = useState<number | null>(null);
  const [checkNow, setCheckNow] = useState(0);

  useEffect(() => {
    if (!down) return;
    let active = true;
    let wait = FIRST_CHECK_MS;
    let timer: ReturnType<typeof setTimeout>;
    const check = () => {
      timer = setTimeout(async () => {
        await api.listConversations().catch(() => undefined);
        wait = Math.min(wait * 2, LONGEST_WAIT_MS);
        if (active) check();
      }, wait);
    };
    check();
    return () => {
      active = false;
      clearTimeout(timer);
    };
  }, [down, checkNow]);

  if (!down || dismissedOutage === recoveries) return null;
  return (
    <Notice tone="error" onDismiss={() => setDismissedOutage(recoveries)}>
      The task service can&apos;t be reached right now. This page keeps trying and carries on by itself when it&apos;s
      back.{" "}
      <button type="button" className="link-button" onClick={() => setCheckNow((count) => count + 1)}>
        Check now
      </button>
    </Notice>
  );
}
