import { expect, test, type ConsoleMessage } from "@playwright/test";
import { signIn } from "./session";

// The page itself, as the UI server of `make run` serves it: its title, description and icon,
// its Content-Security-Policy, and a browser console without a single error (a missing favicon,
// a blocked script or style, an uncaught exception would each show up there).
test.use({ baseURL: process.env.E2E_BASE_URL });

test("the page has its title, description and icon, a CSP, and no console errors", async ({ page }) => {
  const errors: string[] = [];
  page.on("console", (message: ConsoleMessage) => {
    if (message.type() !== "error") return;
    const url = message.location().url;
    // Chromium logs every 4xx the API answers (signed out, the session restore's refresh is a
    // 400 the app expects); the API's statuses are the app's to handle. The page's own files,
    // scripts and styles are not: any error about them counts.
    if (message.text().startsWith("Failed to load resource") && new URL(url).pathname.startsWith("/api/")) return;
    errors.push(`${message.text()} (${url})`);
  });
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("response", (response) => {
    if (response.status() === 404) errors.push(`404 ${response.url()}`);
  });

  const document = await page.goto("/");
  expect(document?.headers()["content-security-policy"]).toContain("script-src 'self'");
  await expect(page).toHaveTitle(/OrderFlow$/); // each page puts its own name first
  await expect(page.locator('meta[name="description"]')).toHaveAttribute("content", /customers, orders/);
  const icon = await page.locator('link[rel="icon"]').getAttribute("href");
  expect(icon).toBe("/favicon.svg");
  const favicon = await page.request.get(icon ?? "");
  expect(favicon.status()).toBe(200);
  expect(favicon.headers()["content-type"]).toBe("image/svg+xml");

  await signIn(page, "admin");
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  await page.goto("/customers");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await page.goto("/lab");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  expect(errors).toEqual([]);
});
