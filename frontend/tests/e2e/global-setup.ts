import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FRONTEND_DIR, REPO_ROOT, freePort, start, stopAndWait, waitUntilReady, type RunningProcess } from "./stack";

/**
 * The real system on free ports: the customer and order services (each with its own SQLite file
 * in a fresh temporary folder), the gateway in front of them, and the built app served by
 * `vite preview`, which forwards /api to the gateway as `make run` does.
 *
 * Tests read E2E_BASE_URL and, to take the customer service down, E2E_CUSTOMER_PID.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const dataDir = mkdtempSync(join(tmpdir(), "orderflow-e2e-"));
  const [customerPort, orderPort, gatewayPort, frontendPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const customerUrl = `http://127.0.0.1:${customerPort}`;
  const orderUrl = `http://127.0.0.1:${orderPort}`;
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const frontendUrl = `http://127.0.0.1:${frontendPort}`;
  const sqlite = (name: string) => `sqlite+aiosqlite:///${join(dataDir, `${name}.db`)}`;

  const running: RunningProcess[] = [];
  const teardown = async () => {
    await Promise.all(running.map((proc) => stopAndWait(proc)));
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const python = { cwd: REPO_ROOT };
    const customer = start("customer", "uv", ["run", "--frozen", "orderflow-customer"], {
      ...python,
      env: { CUSTOMER_PORT: String(customerPort), CUSTOMER_DATABASE_URL: sqlite("customer") },
    });
    const order = start("order", "uv", ["run", "--frozen", "orderflow-order"], {
      ...python,
      env: { ORDER_PORT: String(orderPort), ORDER_DATABASE_URL: sqlite("order"), ORDER_CUSTOMER_SERVICE_URL: customerUrl },
    });
    const gateway = start("gateway", "uv", ["run", "--frozen", "orderflow-gateway"], {
      ...python,
      env: {
        GATEWAY_PORT: String(gatewayPort),
        GATEWAY_CUSTOMER_SERVICE_URL: customerUrl,
        GATEWAY_ORDER_SERVICE_URL: orderUrl,
        GATEWAY_CORS_ORIGINS: frontendUrl,
      },
    });
    running.push(customer, order, gateway);
    await Promise.all([
      waitUntilReady(`${customerUrl}/readyz`, customer),
      waitUntilReady(`${orderUrl}/readyz`, order),
      waitUntilReady(`${gatewayUrl}/readyz`, gateway),
    ]);

    if (!existsSync(join(FRONTEND_DIR, "dist", "index.html"))) {
      execFileSync("npx", ["vite", "build"], { cwd: FRONTEND_DIR, stdio: "inherit" });
    }
    const preview = start("frontend", "npx", ["vite", "preview"], {
      cwd: FRONTEND_DIR,
      env: { FRONTEND_HOST: "127.0.0.1", FRONTEND_PORT: String(frontendPort), ORDERFLOW_GATEWAY_URL: gatewayUrl },
    });
    running.push(preview);
    await waitUntilReady(`${frontendUrl}/`, preview, 30_000);
    await waitUntilReady(`${frontendUrl}/api/dashboard`, preview, 10_000);
  } catch (error) {
    await teardown();
    throw error;
  }

  process.env.E2E_BASE_URL = frontendUrl;
  process.env.E2E_GATEWAY_URL = gatewayUrl;
  process.env.E2E_CUSTOMER_PID = String(running[0]?.child.pid ?? "");
  return teardown;
}
