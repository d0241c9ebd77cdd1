import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterAll, afterEach, beforeAll, vi } from "vitest";
import { session } from "../auth/session";
import { InMemoryBroadcastChannel } from "./broadcastChannel";
import { server } from "./server";

// findBy*/waitFor wait up to 1 s by default: too tight on a busy two-core CI machine.
configure({ asyncUtilTimeout: 5_000 });
vi.stubGlobal("BroadcastChannel", InMemoryBroadcastChannel);

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  cleanup();
  session.reset();
  server.resetHandlers();
  vi.useRealTimers();
});
afterAll(() => server.close());
