import { expect, test, type Page } from "@playwright/test";
import { join } from "node:path";
import { signIn } from "./session";
import { ARTIFACTS_DIR } from "./stack";

// The Lab page against the gateway's real Lab: a guided scenario's fault, the failing request in
// the waterfall, the breaker's figures, and recovery once the fault is cleared.
test.use({ baseURL: process.env.E2E_BASE_URL });

function screenshot(page: Page, name: string) {
  return page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });
}

test("a scenario's fault shows in the requests, the waterfall and the breaker, and clearing it brings the service back", async ({ page, context }) => {
  test.setTimeout(90_000);
  await signIn(page, "admin", "/lab");
  const customerFault = page.getByRole("form", { name: "customer" });
  await expect(customerFault.getByText("No fault")).toBeVisible();

  const scenario = page.getByRole("article", { name: "A service is down" });
  await scenario.getByRole("button", { name: "Start: a service is down" }).click();
  await expect(scenario.getByText("Fault applied to the customer service.")).toBeVisible();
  await expect(customerFault.getByText(/503 on 100%/)).toBeVisible();
  await expect(customerFault.getByTestId("fault-customer-countdown")).toHaveText(/^[01]:\d\d$/);

  // Someone uses the app meanwhile, in another tab of the same session.
  const app = await context.newPage();
  await app.goto("/customers");
  await expect(app.getByRole("alert")).toContainText("unavailable right now");

  const failed = page.getByRole("region", { name: "Recent requests" }).getByRole("button", { name: /^GET \/api\/customers\S*, 503/ }).first();
  await failed.click();
  const waterfall = page.getByRole("region", { name: "Waterfall" });
  await expect(waterfall).toBeFocused();
  await expect(waterfall.getByText("Error").first()).toBeVisible();
  await expect(waterfall.getByText(/fault_abort/).first()).toBeVisible();
  await expect(page.getByRole("listitem", { name: "customer circuit" })).toContainText(/\d+% failing/);
  await screenshot(page, "lab-fault");

  await customerFault.getByRole("button", { name: "Clear customer fault" }).click();
  await expect(customerFault.getByText("No fault")).toBeVisible();
  // An open circuit lets a trial call through after its reset time; then the list is back.
  await expect(async () => {
    await app.reload();
    // The demo customer's row: the list itself, not a page still loading.
    await expect(app.getByRole("cell", { name: "customer@example.com" })).toBeVisible({ timeout: 3_000 });
  }).toPass({ timeout: 40_000, intervals: [2_000] });
  await expect(page.getByRole("listitem", { name: "customer circuit" })).toContainText("Closed", { timeout: 15_000 });
  await screenshot(page, "lab-recovered");
});

test("the Lab fits a phone's screen: nothing wider than it, the controls in one column", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, "admin", "/lab");
  await page.getByRole("region", { name: "Recent requests" }).getByRole("button", { name: /^(GET|POST) / }).first().click();
  await expect(page.getByRole("region", { name: "Waterfall" }).getByRole("heading", { level: 3 })).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await screenshot(page, "lab-phone");
});
