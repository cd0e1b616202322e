"use client";

import { type FormEvent, type KeyboardEvent, useCallback, useEffect, useRef, useState } from "react";

import { Notice } from "@/components/Notice";
import { type RunChange, useChanges, useRemote } from "@/components/use-remote";
import { api } from "@/lib/api";
import { TASK_DESCRIPTION_MAX, TASK_TITLE_MAX } from "@/lib/api-schema";
import type { Task, TaskStatus } from "@/lib/types";

const FILTERS: { value: TaskStatus; label: string }[] = [
  { value: "all", label: "All" },
  { value: "pending", label: "Pending" },
  { value: "completed", label: "Completed" },
];

const EMPTY_MESSAGES: Record<TaskStatus, string> = {
  all: "No tasks yet. Ask the assistant to add one.",
  pending: "Nothing pending. Nice work!",
  completed: "No completed tasks yet.",
};

interface TaskPanelProps {
  /** Changes whenever the agent may have changed tasks, so the panel loads them again. */
  version: number;
}

export function TaskPanel({ version }: TaskPanelProps) {
  const [filter, setFilter] = useState<TaskStatus>("all");
  const { run, error: actionError, changes } = useChanges();
  const load = useCallback(() => api.listTasks(filter), [filter]);
  const { data: tasks, error: loadError, loading } = useRemote(load, `${version}:${changes}`);
  const { headingRef, listRef, afterRemovalOf } = useFocusAfterRemoval(tasks);

  const error = actionError ?? loadError;
  return (
    <aside className="panel tasks" id="tasks-panel" aria-labelledby="tasks-heading" aria-busy={loading}>
      <div className="panel__header">
        <h2 id="tasks-heading" ref={headingRef} tabIndex={-1}>
          Tasks
        </h2>
        <div className="filters" role="group" aria-label="Filter tasks">
          {FILTERS.map(({ value, label }) => (
            <button
              key={value}
              type="button"
              className="filter"
              aria-pressed={filter === value}
              onClick={() => setFilter(value)}
            >
              {label}
            </button>
          ))}
        </div>
      </div>
      <NewTaskForm run={run} />
      {error && (
        <Notice key={error} tone="error" dismissable>
          {error}
        </Notice>
      )}
      {tasks === undefined ? (
        loading && <p role="status">Loading tasks…</p>
      ) : tasks.length === 0 ? (
        <p className="empty">{EMPTY_MESSAGES[filter]}</p>
      ) : (
        <ul
          className="task-list"
          ref={listRef}
          aria-label={`${FILTERS.find((f) => f.value === filter)?.label} tasks`}
        >
          {tasks.map((task, index) => (
            <TaskItem
              key={task.id}
              task={task}
              run={run}
              onRemoval={() => afterRemovalOf(index)}
              leavesList={filter !== "all"}
            />
          ))}
        </ul>
      )}
    </aside>
  );
}

/**
 * Where focus goes when a task leaves the list (deleted, or completed under a filter): to the task that took its
 * place, else the one before it, else the panel's heading, so keyboard users never fall back to the page top.
 */
function useFocusAfterRemoval(tasks: Task[] | undefined) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const removedIndex = useRef<number | null>(null);
  useEffect(() => {
    const index = removedIndex.current;
    if (index === null || tasks === undefined) return;
    removedIndex.current = null;
    const checks = listRef.current?.querySelectorAll<HTMLInputElement>(".task__check") ?? [];
    const next = checks[Math.min(index, checks.length - 1)];
    (next ?? headingRef.current)?.focus();
  }, [tasks]);
  return {
    headingRef,
    listRef,
    afterRemovalOf: (index: number) => {
      removedIndex.current = index;
    },
  };
}


function NewTaskForm({ run }: { run: RunChange }) {
  const [title, setTitle] = useState("");

  async function add(event: FormEvent) {
    event.preventDefault();
    if (await run(() => api.createTask(title.trim()))) setTitle("");
  }

  return (
    <form className="new-task" onSubmit={add}>
      <label htmlFor="new-task-title" className="sr-only">
        New task
      </label>
      <input
        id="new-task-title"
        value={title}
        onChange={(event) => setTitle(event.target.value)}
        placeholder="Add a task yourself…"
        maxLength={TASK_TITLE_MAX}
      />
      <button type="submit" className="button" disabled={!title.trim()}>
        Add
      </button>
    </form>
  );
}

interface TaskItemProps {
  task: Task;
  run: RunChange;
}

interface ListedTaskProps extends TaskItemProps {
  /** Called before an action that takes the task out of the list. */
  onRemoval: () => void;
  /** Under a filter, toggling moves the task out of the list. */
  leavesList: boolean;
}

function TaskItem({ task, run, onRemoval, leavesList }: ListedTaskProps) {
  const [editing, setEditing] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);
  if (editing) {
    const done = () => {
      setEditing(false);
      setTimeout(() => editButton.current?.focus());
    };
    return (
      <li className="task task--editing">
        <TaskEditor task={task} run={run} onDone={done} />
      </li>
    );
  }
  return (
    <li className={task.completed ? "task task--done" : "task"}>
      <input
        type="checkbox"
        className="task__check"
        checked={task.completed}
        onChange={() => {
          if (leavesList) onRemoval();
          void run(() => api.toggleTask(task.id));
        }}
        aria-label={task.completed ? `Mark '${task.title}' as pending` : `Mark '${task.title}' as complete`}
      />
      <div className="task__body">
        <span className="task__title">
          <span className="task__id">#{task.id}</span> {task.title}
        </span>
        {task.description && <span className="task__description">{task.description}</span>}
      </div>
      <div className="task__actions">
        <button
          type="button"
          ref={editButton}
          className="icon-button"
          onClick={() => setEditing(true)}
          aria-label={`Edit '${task.title}'`}
        >
          Edit
        </button>
        <button
          type="button"
          className="icon-button icon-button--danger"
          onClick={() => {
            onRemoval();
            void run(() => api.deleteTask(task.id));
          }}
          aria-label={`Delete '${task.title}'`}
        >
          Delete
        </button>
      </div>
    </li>
  );
}

interface TaskEditorProps extends TaskItemProps {
  onDone: () => void;
}

function TaskEditor({ task, run, onDone }: TaskEditorProps) {
  const [title, setTitle] = useState(task.title);
  const [description, setDescription] = useState(task.description ?? "");
  const [saving, setSaving] = useState(false);

  async function save(event: FormEvent) {
    event.preventDefault();
    setSaving(true);
    const changes = { title: title.trim(), description: description.trim() || null };
    const saved = await run(() => api.updateTask(task.id, changes));
    setSaving(false);
    if (saved) onDone();
  }

  function cancelOnEscape(event: KeyboardEvent) {
    if (event.key === "Escape") onDone();
  }

  return (
    <form className="task-editor" onSubmit={save} onKeyDown={cancelOnEscape} aria-label={`Edit task #${task.id}`}>
      <label>
        Title
        <input value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={TASK_TITLE_MAX} autoFocus />
      </label>
      <label>
        Description
        <textarea value={description} onChange={(e) => setDescription(e.target.value)} maxLength={TASK_DESCRIPTION_MAX} rows={2} />
      </label>
      <div className="task-editor__actions">
        <button type="submit" className="button button--primary" disabled={saving}>
          {saving ? "Saving…" : "Save"}
        </button>
        <button type="button" className="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
