import { screen, waitFor } from "@testing-library/react";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { aCustomer, anOrder, aProblem, PROBLEM_HEADERS } from "../test/fixtures";
import { renderApp } from "../test/render";
import { server } from "../test/server";

const ada = aCustomer();

describe("a customer's page", () => {
  it("lists the customer's orders", async () => {
    server.use(
      http.get("*/api/customers/:id", () => HttpResponse.json(ada)),
      http.get("*/api/customers/:id/orders", () => HttpResponse.json({ items: [anOrder()], next_cursor: null, unavailable: [] })),
    );
    renderApp(`/customers/${ada.id}`);
    expect(await screen.findByRole("heading", { level: 1, name: "Ada Lovelace" })).toBeInTheDocument();
    expect(await screen.findByRole("link", { name: "#22222222" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "New order" })).toHaveAttribute("href", `/orders/new?customer=${ada.id}`);
  });

  it("edits the customer, with the API's field errors next to the fields", async () => {
    let saved = ada;
    server.use(
      http.get("*/api/customers/:id", () => HttpResponse.json(saved)),
      http.get("*/api/customers/:id/orders", () => HttpResponse.json({ items: [], next_cursor: null, unavailable: [] })),
      http.patch("*/api/customers/:id", async ({ request }) => {
        const body = (await request.json()) as { name: string; email: string };
        if (!body.email.includes("@")) {
          return HttpResponse.json(
            aProblem(422, { errors: [{ location: "body", field: "email", message: "value is not a valid email address", code: "value_error" }] }),
            { status: 422, headers: PROBLEM_HEADERS },
          );
        }
        saved = { ...saved, ...body };
        return HttpResponse.json(saved);
      }),
    );
    const { user } = renderApp(`/customers/${ada.id}`);
    await user.click(await screen.findByRole("button", { name: "Edit" }));

    const email = screen.getByLabelText("Email");
    await user.clear(email);
    await user.type(email, "ada-at-example");
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    expect(await screen.findByText("value is not a valid email address")).toBeInTheDocument();

    await user.clear(email);
    await user.type(email, "countess@example.com");
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    await waitFor(() => expect(screen.getByText("countess@example.com")).toBeInTheDocument());
    expect(screen.queryByRole("button", { name: "Save changes" })).not.toBeInTheDocument();
  });

  it("still lists the orders when the customer record cannot be loaded", async () => {
    server.use(
      http.get("*/api/customers/:id", () =>
        HttpResponse.json(aProblem(503, { title: "Service Unavailable" }), { status: 503, headers: PROBLEM_HEADERS }),
      ),
      http.get("*/api/customers/:id/orders", () =>
        HttpResponse.json({ items: [anOrder({ customer: null })], next_cursor: null, unavailable: ["customer"] }),
      ),
    );
    renderApp(`/customers/${ada.id}`);
    expect(await screen.findByText(/A service needed for this is unavailable/)).toBeInTheDocument();
    expect(await screen.findByRole("link", { name: "#22222222" })).toBeInTheDocument();
  });
});

describe("the customers page", () => {
  it("searches as you type", async () => {
    const searches: string[] = [];
    server.use(
      http.get("*/api/customers", ({ request }) => {
        const q = new URL(request.url).searchParams.get("q") ?? "";
        searches.push(q);
        return HttpResponse.json({ items: q === "grace" ? [] : [ada], next_cursor: null });
      }),
    );
    const { user } = renderApp("/customers");
    expect(await screen.findByRole("link", { name: "Ada Lovelace" })).toBeInTheDocument();

    await user.type(screen.getByLabelText("Search"), "grace");
    expect(await screen.findByText(/No customer matches “grace”/)).toBeInTheDocument();
    // Debounced: one request for the whole word, not one per key.
    expect(searches).toEqual(["", "grace"]);
  });
});
