/**
 * The backend's input limits (backend/app/models.py: MESSAGE_MAX, TITLE_MAX, DESCRIPTION_MAX,
 * CONVERSATION_TITLE_MAX). tests/limits.test.ts fails when the two disagree.
 */
export const MESSAGE_MAX = 4000;
export const TASK_TITLE_MAX = 200;
export const TASK_DESCRIPTION_MAX = 1000;
export const CONVERSATION_TITLE_MAX = 80;
