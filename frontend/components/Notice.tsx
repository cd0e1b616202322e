"use client";

import { type ReactNode, useState } from "react";

interface NoticeProps {
  tone: "error" | "info";
  children: ReactNode;
  /** Shows a Dismiss button; without onDismiss the notice just hides itself (give it a key to show it again). */
  dismissable?: boolean;
  onDismiss?: () => void;
}

/** Where focus goes when a notice is dismissed: its panel's heading, else the message box. */
function focusNearby(notice: HTMLElement) {
  const heading = notice.closest("section, nav, aside")?.querySelector<HTMLElement>("h2[tabindex='-1']");
  (heading ?? document.getElementById("chat-input"))?.focus();
}

/** A notice in a panel: errors are alerts, the rest polite status messages. */
export function Notice({ tone, children, dismissable = false, onDismiss }: NoticeProps) {
  const [dismissed, setDismissed] = useState(false);
  if (dismissed) return null;
  return (
    <div className={`notice notice--${tone}`} role={tone === "error" ? "alert" : "status"}>
      <p className="notice__text">{children}</p>
      {(dismissable || onDismiss) && (
        <button
          type="button"
          className="notice__dismiss"
          onClick={(event) => {
            focusNearby(event.currentTarget);
            if (onDismiss) onDismiss();
            else setDismissed(true);
          }}
          aria-label="Dismiss this notice"
        >
          <span aria-hidden="true">×</span>
        </button>
      )}
    </div>
  );
}
