import { expect, type Page } from "@playwright/test";

/** The development accounts the identity service creates with IDENTITY_DEMO_ACCOUNTS=true. */
export const ACCOUNTS = {
  admin: { email: "admin@example.com", password: "orderflow-admin" },
  staff: { email: "staff@example.com", password: "orderflow-staff" },
  customer: { email: "customer@example.com", password: "orderflow-customer" },
} as const;

export type Role = keyof typeof ACCOUNTS;

/** Fills the login form that is on the page now. */
export async function fillLogin(page: Page, role: Role): Promise<void> {
  const { email, password } = ACCOUNTS[role];
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/**
 * Opens `path` signed out, which lands on the login page; signs in as `role`; and waits until the
 * app has brought the person back to `path`, signed in.
 */
export async function signIn(page: Page, role: Role, path = "/"): Promise<void> {
  await page.goto(path);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await fillLogin(page, role);
  await expect(page.getByRole("button", { name: /^Signed in as / })).toBeVisible();
  const target = new URL(path, page.url());
  if (target.pathname !== "/") await expect(page).toHaveURL(target.href);
}
