import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { delay, http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { aCustomer, anOrder, aProblem, PROBLEM_HEADERS } from "../test/fixtures";
import { renderApp } from "../test/render";
import { server } from "../test/server";

const ada = aCustomer();

function serveCustomers(currency = "USD") {
  server.use(
    http.get("*/api/config", () => HttpResponse.json({ currency })),
    http.get("*/api/customers", ({ request }) => {
      const q = new URL(request.url).searchParams.get("q") ?? "";
      const items = "ada lovelace ada@example.com".includes(q.toLowerCase()) ? [ada] : [];
      return HttpResponse.json({ items, next_cursor: null });
    }),
    http.get("*/api/customers/:id", () => HttpResponse.json(ada)),
  );
}

async function fillOrder(user: ReturnType<typeof renderApp>["user"]) {
  await user.type(screen.getByRole("combobox", { name: "Customer" }), "ada");
  await user.click(await screen.findByRole("option", { name: /Ada Lovelace/ }));
  await user.type(screen.getByLabelText("SKU (item 1)"), "BOOK-1");
  await user.type(screen.getByLabelText("Product (item 1)"), "Notes on the Engine");
  await user.clear(screen.getByLabelText("Quantity (item 1)"));
  await user.type(screen.getByLabelText("Quantity (item 1)"), "2");
  await user.type(screen.getByLabelText("Unit price (item 1)"), "12.50");
}

describe("creating an order", () => {
  it("shows the total as the lines are typed", async () => {
    serveCustomers();
    const { user } = renderApp("/orders/new");
    const total = screen.getByTestId("order-total");
    await waitFor(() => expect(total).toHaveTextContent("$0.00"));

    await user.clear(screen.getByLabelText("Quantity (item 1)"));
    await user.type(screen.getByLabelText("Quantity (item 1)"), "3");
    await user.type(screen.getByLabelText("Unit price (item 1)"), "1.1");
    expect(total).toHaveTextContent("$3.30");

    await user.click(screen.getByRole("button", { name: "+ Add item" }));
    await user.clear(screen.getByLabelText("Quantity (item 2)"));
    await user.type(screen.getByLabelText("Quantity (item 2)"), "2");
    await user.type(screen.getByLabelText("Unit price (item 2)"), "0.45");
    expect(screen.getByTestId("line-total-1")).toHaveTextContent("$0.90");
    expect(total).toHaveTextContent("$4.20");

    await user.click(screen.getByRole("button", { name: "Remove item 1" }));
    expect(total).toHaveTextContent("$0.90");
  });

  it("prices the preview in the currency the API names", async () => {
    serveCustomers("EUR");
    const { user } = renderApp("/orders/new");
    const total = screen.getByTestId("order-total");
    await waitFor(() => expect(total).toHaveTextContent("€0.00"));

    await user.type(screen.getByLabelText("Unit price (item 1)"), "12.5");
    expect(screen.getByTestId("line-total-0")).toHaveTextContent("€12.50");
    expect(total).toHaveTextContent("€12.50");
  });

  it("shows bare amounts while the API has not said the currency", async () => {
    serveCustomers();
    server.use(http.get("*/api/config", () => HttpResponse.json(aProblem(503), { status: 503, headers: PROBLEM_HEADERS })));
    const { user } = renderApp("/orders/new");

    await user.type(screen.getByLabelText("Unit price (item 1)"), "12.5");
    expect(screen.getByTestId("order-total")).toHaveTextContent(/^12\.50$/);
  });

  it("sends one request with an Idempotency-Key however fast the button is clicked", async () => {
    serveCustomers();
    const keys: (string | null)[] = [];
    const created = anOrder();
    // The gateway answers only once all the clicks are in, however slow the machine is.
    let answer = () => {};
    const clicksDone = new Promise<void>((resolve) => (answer = resolve));
    server.use(
      http.post("*/api/orders", async ({ request }) => {
        keys.push(request.headers.get("Idempotency-Key"));
        await clicksDone;
        return HttpResponse.json(created, { status: 201, headers: { ETag: '"1"' } });
      }),
      http.get("*/api/orders/:id", () => HttpResponse.json(created)),
    );
    const { user, router } = renderApp("/orders/new");
    await fillOrder(user);

    await user.dblClick(screen.getByRole("button", { name: "Create order" }));
    await user.click(screen.getByRole("button", { name: "Creating…" }));
    answer();

    await waitFor(() => expect(router.state.location.pathname).toBe(`/orders/${created.id}`));
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(await screen.findByText("Order created.")).toBeInTheDocument();
  });

  it("sends one request when the form is submitted twice before React renders again", async () => {
    serveCustomers();
    let posts = 0;
    const created = anOrder();
    server.use(
      http.post("*/api/orders", async () => {
        posts += 1;
        await delay(50);
        return HttpResponse.json(created, { status: 201 });
      }),
      http.get("*/api/orders/:id", () => HttpResponse.json(created)),
    );
    const { user, router } = renderApp("/orders/new");
    await fillOrder(user);
    const form = screen.getByRole("button", { name: "Create order" }).closest("form")!;

    // Two submits in one tick (Enter pressed twice): no render, no disabled button in between.
    act(() => {
      fireEvent.submit(form);
      fireEvent.submit(form);
    });

    await waitFor(() => expect(router.state.location.pathname).toBe(`/orders/${created.id}`));
    expect(posts).toBe(1);
  });

  it("retries the same order with the same key, and a changed order with a new one", async () => {
    serveCustomers();
    const keys: (string | null)[] = [];
    server.use(
      http.post("*/api/orders", ({ request }) => {
        keys.push(request.headers.get("Idempotency-Key"));
        return HttpResponse.json(aProblem(504, { title: "Gateway Timeout" }), { status: 504, headers: PROBLEM_HEADERS });
      }),
    );
    const { user } = renderApp("/orders/new");
    await fillOrder(user);
    const submit = screen.getByRole("button", { name: "Create order" });

    await user.click(submit);
    expect(await screen.findByText(/took too long to answer/)).toBeInTheDocument();
    await user.click(submit);
    await waitFor(() => expect(keys).toHaveLength(2));
    await user.type(screen.getByLabelText("Notes (optional)"), "gift wrap");
    await user.click(submit);
    await waitFor(() => expect(keys).toHaveLength(3));

    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);
  });

  it("says how long to wait after a 429, and the retry reuses the key so it stays one order", async () => {
    serveCustomers();
    const keys: (string | null)[] = [];
    const created = anOrder();
    server.use(
      http.post("*/api/orders", ({ request }) => {
        keys.push(request.headers.get("Idempotency-Key"));
        if (keys.length === 1) {
          return HttpResponse.json(aProblem(429, { title: "Too Many Requests", detail: "Write budget spent." }), {
            status: 429,
            headers: { ...PROBLEM_HEADERS, "Retry-After": "3" },
          });
        }
        return HttpResponse.json(created, { status: 201 });
      }),
      http.get("*/api/orders/:id", () => HttpResponse.json(created)),
    );
    const { user, router } = renderApp("/orders/new");
    await fillOrder(user);

    await user.click(screen.getByRole("button", { name: "Create order" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(/^Too many requests: try again in [1-3] s\.$/);
    await user.click(screen.getByRole("button", { name: "Create order" }));

    await waitFor(() => expect(router.state.location.pathname).toBe(`/orders/${created.id}`));
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
  });

  it("shows the API's item errors next to the item fields", async () => {
    serveCustomers();
    server.use(
      http.post("*/api/orders", () =>
        HttpResponse.json(
          aProblem(422, {
            errors: [{ location: "body", field: "items.0.quantity", message: "Input should be less than or equal to 1000", code: "less_than_equal" }],
          }),
          { status: 422, headers: PROBLEM_HEADERS },
        ),
      ),
    );
    const { user } = renderApp("/orders/new");
    await fillOrder(user);
    await user.clear(screen.getByLabelText("Quantity (item 1)"));
    await user.type(screen.getByLabelText("Quantity (item 1)"), "5000");
    await user.click(screen.getByRole("button", { name: "Create order" }));

    const item = screen.getByRole("listitem", { name: "Item 1" });
    expect(await within(item).findByText("Input should be less than or equal to 1000")).toBeInTheDocument();
    expect(screen.getByLabelText("Quantity (item 1)")).toHaveAttribute("aria-invalid", "true");
  });

  it("asks for a customer before sending anything", async () => {
    serveCustomers();
    let posted = false;
    server.use(
      http.post("*/api/orders", () => {
        posted = true;
        return HttpResponse.json(anOrder(), { status: 201 });
      }),
    );
    const { user } = renderApp("/orders/new");
    await user.type(screen.getByLabelText("Unit price (item 1)"), "5");
    await user.click(screen.getByRole("button", { name: "Create order" }));

    expect(await screen.findByText("Choose a customer.")).toBeInTheDocument();
    expect(posted).toBe(false);
  });

  it("picks a customer with the keyboard", async () => {
    serveCustomers();
    const { user } = renderApp("/orders/new");
    const combobox = screen.getByRole("combobox", { name: "Customer" });
    await user.type(combobox, "lovelace");
    await screen.findByRole("option", { name: /Ada Lovelace/ });
    await user.keyboard("{ArrowDown}{Enter}");
    expect(screen.getByText("Ada Lovelace")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Change customer" })).toBeInTheDocument();
  });
});
