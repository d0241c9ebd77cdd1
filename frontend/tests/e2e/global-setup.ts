import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FRONTEND_DIR, REPO_ROOT, freePort, start, stopAndWait, waitUntilReady, type RunningProcess } from "./stack";

/**
 * The real system on free ports: the customer, order and identity services (each with its own
 * SQLite file in a fresh temporary folder; identity with its demo accounts), the gateway in front
 * of them trusting identity's tokens, and the built app served by the UI server `make run` uses
 * (services/ui-server), which sends the Content-Security-Policy and forwards /api to the gateway. The Lab is on, as in `make run`.
 *
 * Tests read E2E_BASE_URL and, to take the customer service down, E2E_CUSTOMER_PID.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const dataDir = mkdtempSync(join(tmpdir(), "orderflow-e2e-"));
  const [customerPort, orderPort, identityPort, gatewayPort, frontendPort, labPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const customerUrl = `http://127.0.0.1:${customerPort}`;
  const orderUrl = `http://127.0.0.1:${orderPort}`;
  const identityUrl = `http://127.0.0.1:${identityPort}`;
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const frontendUrl = `http://127.0.0.1:${frontendPort}`;
  // The public URL tokens are issued under; every verifier fetches the keys from identity itself.
  const issuer = `${gatewayUrl}/api/auth`;
  const trust = (prefix: string) => ({ [`${prefix}_AUTH_ISSUER`]: issuer, [`${prefix}_AUTH_JWKS_URL`]: `${identityUrl}/jwks.json` });
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
      env: { CUSTOMER_PORT: String(customerPort), CUSTOMER_DATABASE_URL: sqlite("customer"), ...trust("CUSTOMER") },
    });
    const order = start("order", "uv", ["run", "--frozen", "orderflow-order"], {
      ...python,
      env: { ORDER_PORT: String(orderPort), ORDER_DATABASE_URL: sqlite("order"), ORDER_CUSTOMER_SERVICE_URL: customerUrl, ...trust("ORDER") },
    });
    const identity = start("identity", "uv", ["run", "--frozen", "orderflow-identity"], {
      ...python,
      env: {
        IDENTITY_PORT: String(identityPort),
        IDENTITY_DATABASE_URL: sqlite("identity"),
        IDENTITY_ISSUER: issuer,
        IDENTITY_SIGNING_KEY_FILE: join(dataDir, "identity-signing-key.pem"),
        IDENTITY_DEMO_ACCOUNTS: "true",
        IDENTITY_CUSTOMER_SERVICE_URL: customerUrl,
        // Sign-ins in a browser test need not cost what a real password check should.
        IDENTITY_ARGON2_TIME_COST: "1",
        IDENTITY_ARGON2_MEMORY_KIB: "1024",
        IDENTITY_ARGON2_PARALLELISM: "1",
      },
    });
    const gateway = start("gateway", "uv", ["run", "--frozen", "orderflow-gateway"], {
      ...python,
      env: {
        GATEWAY_PORT: String(gatewayPort),
        GATEWAY_CUSTOMER_SERVICE_URL: customerUrl,
        GATEWAY_ORDER_SERVICE_URL: orderUrl,
        GATEWAY_IDENTITY_SERVICE_URL: identityUrl,
        GATEWAY_CORS_ORIGINS: frontendUrl,
        GATEWAY_LAB_ENABLED: "true",
        // The Lab's span receiver on a free port too: another stack on this machine may hold 4319.
        GATEWAY_LAB_OTLP_PORT: String(labPort),
        ...trust("GATEWAY"),
      },
    });
    running.push(customer, order, identity, gateway);
    await Promise.all([
      waitUntilReady(`${customerUrl}/readyz`, customer),
      waitUntilReady(`${orderUrl}/readyz`, order),
      waitUntilReady(`${identityUrl}/readyz`, identity),
      waitUntilReady(`${gatewayUrl}/readyz`, gateway),
    ]);

    if (!existsSync(join(FRONTEND_DIR, "dist", "index.html"))) {
      execFileSync("npx", ["vite", "build"], { cwd: FRONTEND_DIR, stdio: "inherit" });
    }
    const uiServer = start("frontend", "uv", ["run", "--frozen", "orderflow-ui-server"], {
      ...python,
      env: {
        FRONTEND_HOST: "127.0.0.1",
        FRONTEND_PORT: String(frontendPort),
        FRONTEND_DIST: join(FRONTEND_DIR, "dist"),
        ORDERFLOW_GATEWAY_URL: gatewayUrl,
      },
    });
    running.push(uiServer);
    await waitUntilReady(`${frontendUrl}/`, uiServer, 30_000);
    // Through the UI server's proxy and the gateway to the identity service: the path a sign-in takes.
    await waitUntilReady(`${frontendUrl}/api/auth/.well-known/openid-configuration`, uiServer, 10_000);
  } catch (error) {
    await teardown();
    throw error;
  }

  process.env.E2E_BASE_URL = frontendUrl;
  process.env.E2E_GATEWAY_URL = gatewayUrl;
  process.env.E2E_CUSTOMER_PID = String(running[0]?.child.pid ?? "");
  return teardown;
}
