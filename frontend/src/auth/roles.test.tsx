import { screen, waitFor, within } from "@testing-library/react";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import type { Role } from "../api/auth";
import { aCustomer, aDashboard, anOrder } from "../test/fixtures";
import { renderApp } from "../test/render";
import { server } from "../test/server";

const ada = aCustomer();

function serveHome() {
  server.use(
    http.get("*/api/dashboard", () => HttpResponse.json(aDashboard())),
    http.get("*/api/customers/:id", () => HttpResponse.json(ada)),
    http.get("*/api/customers/:id/orders", () => HttpResponse.json({ items: [anOrder()], next_cursor: null, unavailable: [] })),
  );
}

async function navLinks(): Promise<string[]> {
  const nav = await screen.findByRole("navigation", { name: "Main" });
  return within(nav)
    .getAllByRole("link")
    .map((link) => link.textContent ?? "");
}

describe("the menu offers what the role may open", () => {
  it.each<[Role, string[]]>([
    ["admin", ["Dashboard", "Customers", "Orders", "Lab"]],
    ["staff", ["Dashboard", "Customers", "Orders"]],
    ["customer", ["My orders"]],
  ])("%s", async (role, links) => {
    serveHome();
    renderApp("/", { as: role });
    expect(await navLinks()).toEqual(links);
  });
});

describe("a customer", () => {
  it("starts on its own page, with its orders and nothing to edit", async () => {
    serveHome();
    const { router } = renderApp("/", { as: "customer" });

    expect(await screen.findByRole("heading", { level: 1, name: ada.name })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe(`/customers/${ada.id}`);
    expect(await screen.findByRole("table", { name: "This customer's orders" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Edit" })).not.toBeInTheDocument();
    expect(screen.queryByRole("navigation", { name: "Breadcrumbs" })).not.toBeInTheDocument();
    expect(screen.queryByRole("link", { name: "Dashboard" })).not.toBeInTheDocument();
  });

  it.each([
    ["/customers", "see the list of customers"],
    ["/customers/new", "add customers"],
    ["/orders", "see every order"],
  ])("is told its role may not open %s, and the API is not asked", async (path, what) => {
    // No handlers: the msw gateway fails the test on any request.
    renderApp(path, { as: "customer" });
    expect(await screen.findByRole("heading", { name: "Not for your role" })).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent(`Your role (customer) may not ${what}`);
  });

  it("orders only for itself: no customer picker, its own customer fixed", async () => {
    serveHome();
    let sent: unknown = null;
    const created = anOrder();
    server.use(
      http.post("*/api/orders", async ({ request }) => {
        sent = await request.json();
        return HttpResponse.json(created, { status: 201 });
      }),
      http.get("*/api/orders/:id", () => HttpResponse.json(created)),
      http.get("*/api/config", () => HttpResponse.json({ currency: "USD" })),
    );
    const { user, router } = renderApp("/orders/new?customer=someone-else", { as: "customer" });

    expect(await screen.findByText(/\(you\)/)).toHaveTextContent(`${ada.name} ${ada.email} (you)`);
    expect(screen.queryByRole("combobox", { name: "Customer" })).not.toBeInTheDocument();
    await user.type(screen.getByLabelText("SKU (item 1)"), "BOOK-1");
    await user.type(screen.getByLabelText("Product (item 1)"), "Notes");
    await user.type(screen.getByLabelText("Unit price (item 1)"), "5");
    await user.click(screen.getByRole("button", { name: "Create order" }));

    await waitFor(() => expect(router.state.location.pathname).toBe(`/orders/${created.id}`));
    expect(sent).toMatchObject({ customer_id: ada.id });
  });

  it("is offered only the moves the API allows it: cancelling its own pending order", async () => {
    const pending = anOrder({ status: "PENDING", allowed_transitions: ["CANCELLED"] });
    server.use(http.get("*/api/orders/:id", () => HttpResponse.json(pending)));
    renderApp(`/orders/${pending.id}`, { as: "customer" });

    const status = await screen.findByRole("region", { name: "Status" });
    expect(within(status).getAllByRole("button").map((b) => b.textContent)).toEqual(["Cancel order"]);
    const crumbs = screen.getByRole("navigation", { name: "Breadcrumbs" });
    expect(within(crumbs).getByRole("link", { name: "My orders" })).toHaveAttribute("href", `/customers/${ada.id}`);
  });

  it("is told there is nothing it can change on a confirmed order", async () => {
    const confirmed = anOrder({ status: "CONFIRMED", allowed_transitions: [] });
    server.use(http.get("*/api/orders/:id", () => HttpResponse.json(confirmed)));
    renderApp(`/orders/${confirmed.id}`, { as: "customer" });

    const status = await screen.findByRole("region", { name: "Status" });
    expect(within(status).queryAllByRole("button")).toEqual([]);
    expect(status).toHaveTextContent("Confirmed: there is nothing you can change on this order now.");
  });
});

describe("staff", () => {
  it("sees the dashboard at home", async () => {
    serveHome();
    renderApp("/", { as: "staff" });
    expect(await screen.findByRole("heading", { level: 1, name: "Dashboard" })).toBeInTheDocument();
  });

  it("may edit a customer and order for anyone", async () => {
    serveHome();
    server.use(http.get("*/api/customers", () => HttpResponse.json({ items: [ada], next_cursor: null })));
    const { user } = renderApp(`/customers/${ada.id}`, { as: "staff" });
    expect(await screen.findByRole("button", { name: "Edit" })).toBeInTheDocument();
    expect(within(screen.getByRole("navigation", { name: "Breadcrumbs" })).getByRole("link", { name: "Customers" })).toBeInTheDocument();

    await user.click(screen.getByRole("link", { name: "New order" }));
    expect(await screen.findByRole("button", { name: "Change customer" })).toBeInTheDocument();
  });
});
