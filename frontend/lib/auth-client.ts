import { createAuthClient } from "better-auth/react";

/** Better Auth's browser client; with no baseURL it talks to this same origin's /api/auth. */
export const authClient = createAuthClient();
