import { screen } from "@testing-library/react";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { aCustomer, aProblem, PROBLEM_HEADERS } from "../test/fixtures";
import { renderApp } from "../test/render";
import { server } from "../test/server";

describe("creating a customer", () => {
  it("shows the API's field errors next to the fields they are about", async () => {
    server.use(
      http.post("*/api/customers", () =>
        HttpResponse.json(
          aProblem(422, {
            title: "Unprocessable Content",
            errors: [
              { location: "body", field: "email", message: "value is not a valid email address", code: "value_error" },
              { location: "body", field: "name", message: "String should have at least 1 character", code: "string_too_short" },
            ],
          }),
          { status: 422, headers: PROBLEM_HEADERS },
        ),
      ),
    );
    const { user } = renderApp("/customers/new");

    await user.type(screen.getByLabelText("Email"), "not-an-email");
    await user.click(screen.getByRole("button", { name: "Create customer" }));

    const email = screen.getByLabelText("Email");
    expect(await screen.findByText("value is not a valid email address")).toBeInTheDocument();
    expect(email).toHaveAttribute("aria-invalid", "true");
    expect(email).toHaveAccessibleDescription("value is not a valid email address");
    expect(screen.getByLabelText("Name")).toHaveAccessibleDescription("String should have at least 1 character");
  });

  it("says a taken email is taken, under the email field", async () => {
    server.use(
      http.post("*/api/customers", () =>
        HttpResponse.json(aProblem(409, { title: "Conflict", detail: "A customer with this email already exists." }), {
          status: 409,
          headers: PROBLEM_HEADERS,
        }),
      ),
    );
    const { user } = renderApp("/customers/new");
    await user.type(screen.getByLabelText("Name"), "Ada");
    await user.type(screen.getByLabelText("Email"), "ada@example.com");
    await user.click(screen.getByRole("button", { name: "Create customer" }));

    expect(await screen.findByText("A customer with this email already exists.")).toBeInTheDocument();
    expect(screen.getByLabelText("Email")).toHaveAttribute("aria-invalid", "true");
  });

  it("opens the new customer's page when it is created", async () => {
    const created = aCustomer({ name: "Grace Hopper", email: "grace@example.com" });
    server.use(
      http.post("*/api/customers", async ({ request }) => {
        expect(await request.json()).toEqual({ name: "Grace Hopper", email: "grace@example.com" });
        return HttpResponse.json(created, { status: 201 });
      }),
      http.get("*/api/customers/:id", () => HttpResponse.json(created)),
      http.get("*/api/customers/:id/orders", () => HttpResponse.json({ items: [], next_cursor: null, unavailable: [] })),
    );
    const { user, router } = renderApp("/customers/new");
    await user.type(screen.getByLabelText("Name"), "Grace Hopper");
    await user.type(screen.getByLabelText("Email"), "grace@example.com");
    await user.click(screen.getByRole("button", { name: "Create customer" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Grace Hopper" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe(`/customers/${created.id}`);
  });
});
