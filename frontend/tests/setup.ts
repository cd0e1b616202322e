import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterEach, beforeEach, vi } from "vitest";

import { serviceStatus } from "@/lib/service-status";

// Installed before any module loads, because Better Auth's client keeps the fetch it finds at creation.
// Component tests never reach a network: each test scripts its replies with fakeFetch().
const fetchMock = vi.fn<typeof fetch>();
vi.stubGlobal("fetch", fetchMock);

beforeEach(() => {
  // Component tests run on the chat page's address (node-environment tests have no window).
  globalThis.window?.history.replaceState(null, "", "/chat");
});

afterEach(() => {
  serviceStatus.observe(200); // the next test starts with the service reachable
  cleanup();
  vi.clearAllMocks();
  fetchMock.mockReset();
});
