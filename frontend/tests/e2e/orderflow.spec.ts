import { expect, test, type Page } from "@playwright/test";
import { join } from "node:path";
import { signIn } from "./session";
import { ARTIFACTS_DIR, stop } from "./stack";

// One story, told in order against one real stack (see global-setup.ts), by a member of staff.
// Each test signs in afresh; every page.goto after that is a reload the session survives.
test.describe.configure({ mode: "serial" });
test.use({ baseURL: process.env.E2E_BASE_URL });
test.beforeEach(async ({ page }) => {
  await signIn(page, "staff");
});

const run = Date.now();
const customer = { name: `Ada Lovelace ${run}`, email: `ada.${run}@example.com` };
let figuresBefore = { orders: 0, delivered: 0 };
let orderPath = "";

function screenshot(page: Page, name: string) {
  return page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });
}

async function figure(page: Page, testId: string): Promise<number> {
  return Number(await page.getByTestId(testId).innerText());
}

test("the dashboard shows the system's figures and healthy services", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  await expect(page.getByTestId("stat-orders")).toHaveText(/^\d+$/);
  const health = page.getByRole("region", { name: "Service health" });
  await expect(health.getByRole("listitem").filter({ hasText: "customer service" })).toContainText("Up");
  await expect(health.getByRole("listitem").filter({ hasText: "order service" })).toContainText("Up");
  figuresBefore = { orders: await figure(page, "stat-orders"), delivered: await figure(page, "status-count-DELIVERED") };
  await screenshot(page, "dashboard-before");
});

test("an invalid email gets the API's error next to the field; a valid one creates the customer", async ({ page }) => {
  await page.goto("/customers/new");
  await page.getByLabel("Name").fill(customer.name);
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByRole("button", { name: "Create customer" }).click();

  const email = page.getByLabel("Email");
  await expect(email).toHaveAttribute("aria-invalid", "true");
  await expect(page.locator("#customer-email-error")).toBeVisible();
  await expect(page.locator("#customer-name-error")).toHaveCount(0);
  await screenshot(page, "customer-field-error");

  await email.fill(customer.email);
  await page.getByRole("button", { name: "Create customer" }).click();
  await expect(page.getByRole("heading", { level: 1, name: customer.name })).toBeVisible();
  await expect(page.getByText("No orders for this customer yet.")).toBeVisible();
  await screenshot(page, "customer");

  await page.goto("/customers");
  await page.getByLabel("Search").fill(String(run));
  await expect(page.getByRole("link", { name: customer.name })).toBeVisible();
  await expect(page.getByRole("row")).toHaveCount(2);
  await screenshot(page, "customers");
});

test("an order with two items shows its total as it is typed", async ({ page }) => {
  await page.goto("/orders/new");
  await page.getByRole("combobox", { name: "Customer" }).fill(String(run));
  await page.getByRole("option", { name: new RegExp(customer.name) }).click();
  await expect(page.getByText(customer.email)).toBeVisible();

  await page.getByLabel("SKU (item 1)").fill("BOOK-1");
  await page.getByLabel("Product (item 1)").fill("Notes on the Analytical Engine");
  await page.getByLabel("Quantity (item 1)").fill("2");
  await page.getByLabel("Unit price (item 1)").fill("12.50");
  await expect(page.getByTestId("order-total")).toHaveText("$25.00");

  await page.getByRole("button", { name: "+ Add item" }).click();
  await page.getByLabel("SKU (item 2)").fill("PEN-7");
  await page.getByLabel("Product (item 2)").fill("Fountain pen");
  await page.getByLabel("Quantity (item 2)").fill("3");
  await page.getByLabel("Unit price (item 2)").fill("4.99");
  await expect(page.getByTestId("order-total")).toHaveText("$39.97");
  await screenshot(page, "order-new");

  await page.getByRole("button", { name: "Create order" }).dblclick();
  await expect(page.getByText("Order created.")).toBeVisible();
  await expect(page.getByTestId("order-detail-total")).toHaveText("$39.97");
  await expect(page.getByRole("link", { name: customer.name })).toBeVisible();
  orderPath = new URL(page.url()).pathname;

  // The double click made exactly one order.
  await page.goto(`/customers`);
  await page.getByLabel("Search").fill(String(run));
  await page.getByRole("link", { name: customer.name }).click();
  await expect(page.getByRole("table", { name: "This customer's orders" }).getByRole("row")).toHaveCount(2);
});

test("the order moves through its lifecycle, offered only the allowed changes", async ({ page, context }) => {
  await page.goto(orderPath);
  const status = page.getByRole("region", { name: "Status" });
  await expect(status.getByRole("button")).toHaveText(["Confirm", "Cancel order"]);

  // A second tab on the same order, which will be out of date once the first one confirms it.
  const staleTab = await context.newPage();
  await staleTab.goto(orderPath);
  const staleStatus = staleTab.getByRole("region", { name: "Status" });
  await expect(staleStatus.getByRole("button")).toHaveText(["Confirm", "Cancel order"]);

  await status.getByRole("button", { name: "Confirm" }).click();
  await expect(status.getByRole("button")).toHaveText(["Mark shipped", "Cancel order"]);

  await staleStatus.getByRole("button", { name: "Cancel order" }).click();
  await staleStatus.getByRole("button", { name: "Yes, cancel the order" }).click();
  await expect(staleTab.getByText("Someone else changed this order")).toBeVisible();
  await expect(staleStatus.getByRole("button")).toHaveText(["Mark shipped", "Cancel order"]);
  await screenshot(staleTab, "order-stale-version");
  await staleTab.close();

  await status.getByRole("button", { name: "Mark shipped" }).click();
  await expect(status.getByRole("button")).toHaveText(["Mark delivered"]);

  await status.getByRole("button", { name: "Mark delivered" }).click();
  await expect(status.getByText("Delivered: there is nothing you can change on this order now.")).toBeVisible();
  await expect(status.getByRole("button")).toHaveCount(0);
  await expect(page.locator(".page-header .badge")).toHaveText("Delivered");
  await screenshot(page, "order");
});

test("the dashboard counts the new order", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId("stat-orders")).toHaveText(String(figuresBefore.orders + 1));
  await expect(page.getByTestId("status-count-DELIVERED")).toHaveText(String(figuresBefore.delivered + 1));
  await expect(page.getByRole("region", { name: "Recent orders" }).getByRole("link", { name: customer.name })).toBeVisible();
  await screenshot(page, "dashboard");

  await page.goto("/orders?status=DELIVERED");
  await expect(page.getByRole("link", { name: customer.name }).first()).toBeVisible();
  await screenshot(page, "orders");
});

test("with the customer service stopped, the orders page still lists orders and says what is missing", async ({ page }) => {
  stop(Number(process.env.E2E_CUSTOMER_PID));

  await page.goto("/orders");
  await expect(page.getByText("Showing partial data.")).toBeVisible();
  const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: `#${orderPath.split("/").pop()!.slice(0, 8)}` }) });
  await expect(row).toContainText("Customer unavailable");
  await expect(row).toContainText("$39.97");
  await screenshot(page, "orders-customer-down");

  await page.goto("/");
  const health = page.getByRole("region", { name: "Service health" });
  await expect(health.getByRole("listitem").filter({ hasText: "customer service" })).toContainText("Down");
  await expect(page.getByTestId("stat-customers")).toHaveText("Unavailable");
  await expect(page.getByTestId("stat-orders")).toHaveText(String(figuresBefore.orders + 1));
  await screenshot(page, "dashboard-customer-down");
});
