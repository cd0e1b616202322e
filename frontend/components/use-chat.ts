"use client";

import { useCallback, useEffect, useReducer, useRef } from "react";

import { useApiErrorHandler } from "@/components/use-remote";
import { ApiError } from "@/lib/api";
import { streamChat } from "@/lib/chat-stream";
import { isBusy, turnsReducer } from "@/lib/turns";
import type { StreamEvent } from "@/lib/types";

export interface ChatCallbacks {
  /** The backend named the conversation this turn went into (a new one on the first message). */
  onConversation: (conversationId: number) => void;
  /** A tool changed (or may have changed) tasks. */
  onTasksChanged: () => void;
  /** A turn ended (done or stopped): the conversation list may have a new title or order. */
  onTurnEnd: () => void;
}

/** Why a turn failed, with what to do about it (the Retry button sits beside it). */
function failureSentence(error: unknown, started: boolean, describe: (error: unknown) => string): string {
  if (started) return describe(error);
  if (error instanceof ApiError && error.isUnavailable) {
    return "Your message was not sent because the task service can't be reached. Press Retry once it's back.";
  }
  return `Your message was not sent. ${describe(error)}`;
}

/**
 * Sends turns over the stream one at a time, with Stop and Retry. `send(message, true)` starts a new
 * conversation (the one asked for was missing).
 */
export function useChat(initialConversationId: number | null, callbacks: ChatCallbacks) {
  const [turns, dispatch] = useReducer(turnsReducer, []);
  const conversationId = useRef(initialConversationId);
  const controller = useRef<AbortController | null>(null);
  const nextId = useRef(0);
  const describeError = useApiErrorHandler();
  const latest = useRef(callbacks);
  useEffect(() => {
    latest.current = callbacks;
  });
  useEffect(() => () => controller.current?.abort(), []);

  const send = useCallback(
    async (message: string, startNew = false) => {
      if (controller.current) return;
      if (startNew) conversationId.current = null;
      const id = nextId.current++;
      const abort = (controller.current = new AbortController());
      dispatch({ type: "send", id, message, at: new Date().toISOString() });
      let started = false;
      const onEvent = (event: StreamEvent) => {
        dispatch({ type: "event", id, event, at: new Date().toISOString() });
        // An error after the turn was stored names its conversation too: Retry continues it.
        if ((event.type === "start" || event.type === "error") && event.conversation_id !== undefined) {
          started = true;
          conversationId.current = event.conversation_id;
          latest.current.onConversation(event.conversation_id);
        }
        if (event.type === "tool_result") latest.current.onTasksChanged();
      };
      try {
        await streamChat(message, conversationId.current, abort.signal, onEvent);
      } catch (error) {
        if (abort.signal.aborted) dispatch({ type: "stop", id, at: new Date().toISOString() });
        else dispatch({ type: "fail", id, error: failureSentence(error, started, describeError) });
      } finally {
        controller.current = null;
        latest.current.onTurnEnd();
      }
    },
    [describeError],
  );

  return {
    turns,
    busy: turns.some(isBusy),
    send,
    stop: () => controller.current?.abort(),
    retry: (id: number) => {
      const turn = turns.find((candidate) => candidate.id === id);
      if (!turn || controller.current) return;
      dispatch({ type: "discard", id });
      void send(turn.message);
    },
  };
}
