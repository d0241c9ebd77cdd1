import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { join } from "node:path";
import { ACCOUNTS, fillLogin, signIn, type Role } from "./session";
import { ARTIFACTS_DIR } from "./stack";

// Signing in, each role's view of the system, and the session's life: against the real identity
// service and gateway (see global-setup.ts). Runs before orderflow.spec.ts, which ends by
// stopping the customer service.
test.use({ baseURL: process.env.E2E_BASE_URL });

function screenshot(page: Page, name: string) {
  return page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });
}

function mainMenu(page: Page) {
  return page.getByRole("navigation", { name: "Main" }).getByRole("link");
}

/** An access token from the token endpoint, as a script would get one: to ask the API directly. */
async function tokenFor(request: APIRequestContext, role: Role): Promise<string> {
  const { email, password } = ACCOUNTS[role];
  const response = await request.post("/api/auth/token", {
    form: { grant_type: "password", username: email, password, client_id: "orderflow-web" },
  });
  expect(response.status()).toBe(200);
  const body = (await response.json()) as { access_token: string; refresh_token?: string };
  // The browser's client never gets its refresh token in the body: only as an HttpOnly cookie.
  expect(body.refresh_token).toBeUndefined();
  return body.access_token;
}

test("a wrong password is refused plainly, without saying whether the account exists", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill(ACCOUNTS.staff.email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("Wrong email or password.");

  await page.getByLabel("Email").fill("nobody@example.com");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("Wrong email or password.");
  await screenshot(page, "login-refused");
});

test("an admin sees everything, the Lab included", async ({ page }) => {
  await signIn(page, "admin");
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  await expect(mainMenu(page)).toHaveText(["Dashboard", "Customers", "Orders", "Lab"]);
  await page.getByRole("button", { name: /^Signed in as / }).click();
  await expect(page.getByText(ACCOUNTS.admin.email)).toBeVisible();
  await screenshot(page, "signed-in-admin");

  await mainMenu(page).filter({ hasText: "Lab" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Lab" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Circuit breakers" }).getByRole("listitem", { name: "customer circuit" })).toBeVisible();
});

test("staff see every customer and order and the dashboard, but not the Lab", async ({ page, request }) => {
  await signIn(page, "staff", "/customers");
  await expect(page.getByRole("heading", { level: 1, name: "Customers" })).toBeVisible();
  await expect(mainMenu(page)).toHaveText(["Dashboard", "Customers", "Orders"]);

  await page.goto("/lab");
  await expect(page.getByRole("heading", { name: "Not for your role" })).toBeVisible();
  await expect(page.getByRole("alert")).toContainText("Your role (staff) may not open the Lab");

  const token = await tokenFor(request, "staff");
  const lab = await request.get("/api/lab/circuits", { headers: { Authorization: `Bearer ${token}` } });
  expect(lab.status()).toBe(403);
});

test("a customer sees its own page and orders, orders for itself and may only cancel", async ({ page }) => {
  await signIn(page, "customer");
  // Its home is its own customer page, with its orders.
  await expect(page).toHaveURL(/\/customers\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { level: 2, name: "Orders" })).toBeVisible();
  await expect(mainMenu(page)).toHaveText(["My orders"]);
  await expect(page.getByRole("button", { name: "Edit" })).toHaveCount(0);
  const home = new URL(page.url()).pathname;
  await screenshot(page, "signed-in-customer");

  await page.getByRole("link", { name: "New order" }).click();
  await expect(page.getByText("(you)")).toBeVisible();
  await expect(page.getByRole("combobox", { name: "Customer" })).toHaveCount(0);
  await page.getByLabel("SKU (item 1)").fill("TEA-1");
  await page.getByLabel("Product (item 1)").fill("Earl Grey");
  await page.getByLabel("Unit price (item 1)").fill("4.50");
  await page.getByRole("button", { name: "Create order" }).click();
  await expect(page.getByText("Order created.")).toBeVisible();

  // The API's allowed_transitions for a customer's own pending order: cancelling, nothing else.
  const status = page.getByRole("region", { name: "Status" });
  await expect(status.getByRole("button")).toHaveText(["Cancel order"]);
  await status.getByRole("button", { name: "Cancel order" }).click();
  await status.getByRole("button", { name: "Yes, cancel the order" }).click();
  await expect(status.getByText("Cancelled: there is nothing you can change on this order now.")).toBeVisible();

  await page.getByRole("navigation", { name: "Breadcrumbs" }).getByRole("link", { name: "My orders" }).click();
  await expect(page).toHaveURL(new RegExp(`${home}$`));
  await expect(page.getByRole("table", { name: "This customer's orders" }).getByText("Cancelled")).toBeVisible();
});

test("a customer is refused the pages and the API calls its role may not have", async ({ page, request }) => {
  await signIn(page, "customer");
  for (const [path, what] of [
    ["/customers", "see the list of customers"],
    ["/orders", "see every order"],
    ["/lab", "open the Lab"],
  ] as const) {
    await page.goto(path);
    await expect(page.getByRole("alert")).toContainText(`Your role (customer) may not ${what}`);
  }
  await screenshot(page, "customer-refused");

  const headers = { Authorization: `Bearer ${await tokenFor(request, "customer")}` };
  expect((await request.get("/api/customers", { headers })).status()).toBe(403);
  expect((await request.get("/api/dashboard", { headers })).status()).toBe(403);
  expect((await request.get("/api/customers")).status()).toBe(401);
});

test("the session survives a reload, and the refresh token stays out of scripts' reach", async ({ page, context }) => {
  await signIn(page, "staff", "/orders?status=PENDING");
  await page.reload();
  await expect(page.getByRole("heading", { level: 1, name: "Orders" })).toBeVisible();
  await expect(page).toHaveURL(/\/orders\?status=PENDING$/);
  await expect(page.getByRole("button", { name: /^Signed in as / })).toBeVisible();

  const cookie = (await context.cookies()).find((c) => c.name === "orderflow_refresh");
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/api/auth" });
  expect(await page.evaluate(() => document.cookie)).not.toContain("orderflow_refresh");
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  expect(stored).not.toMatch(/eyJ/); // no JWT kept in storage
});

test("signing out ends the session: the pages ask for a sign-in again, even after a reload", async ({ page, context }) => {
  await signIn(page, "staff", "/orders");
  await page.getByRole("button", { name: /^Signed in as / }).click();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByText("You have signed out.")).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);
  expect((await context.cookies()).find((c) => c.name === "orderflow_refresh")).toBeUndefined();

  await page.goto("/orders");
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await screenshot(page, "signed-out");

  // And signing in again brings the person to the page they were going to.
  await fillLogin(page, "staff");
  await expect(page).toHaveURL(/\/orders$/);
});
