/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The browser only ever calls relative /api paths; the dev server and `vite preview`
// forward them to the gateway, so the frontend knows nothing of the services behind it.
const gateway = process.env.ORDERFLOW_GATEWAY_URL ?? "http://127.0.0.1:8000";
const port = Number(process.env.FRONTEND_PORT ?? 5173);
// 127.0.0.1 rather than "localhost", which may mean only ::1; FRONTEND_HOST=0.0.0.0 opens it to the network.
const host = process.env.FRONTEND_HOST ?? "127.0.0.1";
const proxy = Object.fromEntries(
  ["/api", "/healthz", "/readyz"].map((path) => [path, { target: gateway, changeOrigin: true }]),
);

export default defineConfig({
  plugins: [react()],
  server: { host, port, strictPort: true, proxy },
  preview: { host, port, strictPort: true, proxy },
  test: {
    environment: "jsdom",
    setupFiles: ["src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    restoreMocks: true,
    // Each test renders its own app with its own QueryClient and resets the mocked gateway, so
    // files can share a worker and its jsdom: three to five times faster on a two-core machine.
    pool: "threads",
    isolate: false,
    testTimeout: 20_000,
  },
});
