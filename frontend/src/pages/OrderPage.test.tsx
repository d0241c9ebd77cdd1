import { screen, waitFor } from "@testing-library/react";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import type { OrderStatus } from "../api/types";
import { anOrder, aProblem, PROBLEM_HEADERS } from "../test/fixtures";
import { renderApp } from "../test/render";
import { server } from "../test/server";

const ALL_ACTIONS = ["Confirm", "Mark shipped", "Mark delivered", "Cancel order"];

describe("an order's status actions", () => {
  it.each<[OrderStatus, OrderStatus[], string[]]>([
    ["PENDING", ["CONFIRMED", "CANCELLED"], ["Confirm", "Cancel order"]],
    ["CONFIRMED", ["SHIPPED", "CANCELLED"], ["Mark shipped", "Cancel order"]],
    ["SHIPPED", ["DELIVERED"], ["Mark delivered"]],
    ["DELIVERED", [], []],
    ["CANCELLED", [], []],
    // Nor does the page know which statuses are final: none offered is none offered.
    ["SHIPPED", [], []],
    // The API answers for this caller: one who may only cancel is offered only that.
    ["PENDING", ["CANCELLED"], ["Cancel order"]],
  ])("offers from %s exactly the moves the API allows (%j)", async (status, allowed, offered) => {
    server.use(http.get("*/api/orders/:id", () => HttpResponse.json(anOrder({ status, allowed_transitions: allowed }))));
    renderApp(`/orders/${anOrder().id}`);
    await screen.findByRole("heading", { name: "Status" });

    for (const action of ALL_ACTIONS) {
      const button = screen.queryByRole("button", { name: action });
      if (offered.includes(action)) expect(button).toBeInTheDocument();
      else expect(button).not.toBeInTheDocument();
    }
    if (offered.length === 0) {
      expect(screen.getByText(/there is nothing you can change on this order now\./)).toBeInTheDocument();
    }
  });

  it("sends the version it shows in If-Match and shows the new status", async () => {
    let ifMatch: string | null = null;
    server.use(
      http.get("*/api/orders/:id", () => HttpResponse.json(anOrder({ version: 3 }))),
      http.patch("*/api/orders/:id", async ({ request }) => {
        ifMatch = request.headers.get("If-Match");
        expect(await request.json()).toEqual({ status: "CONFIRMED" });
        return HttpResponse.json(anOrder({ status: "CONFIRMED", version: 4, allowed_transitions: ["SHIPPED", "CANCELLED"] }), { headers: { ETag: '"4"' } });
      }),
    );
    const { user } = renderApp(`/orders/${anOrder().id}`);
    await user.click(await screen.findByRole("button", { name: "Confirm" }));

    expect(await screen.findByRole("button", { name: "Mark shipped" })).toBeInTheDocument();
    expect(ifMatch).toBe('"3"');
  });

  it("asks before cancelling, and cancels only when told to", async () => {
    const sent: unknown[] = [];
    server.use(
      http.get("*/api/orders/:id", () => HttpResponse.json(anOrder())),
      http.patch("*/api/orders/:id", async ({ request }) => {
        sent.push(await request.json());
        return HttpResponse.json(anOrder({ status: "CANCELLED", version: 2, allowed_transitions: [] }));
      }),
    );
    const { user } = renderApp(`/orders/${anOrder().id}`);

    await user.click(await screen.findByRole("button", { name: "Cancel order" }));
    expect(screen.getByRole("button", { name: "Keep the order" })).toHaveFocus();
    await user.keyboard("{Enter}");
    expect(screen.queryByRole("group", { name: "Confirm cancellation" })).not.toBeInTheDocument();
    expect(sent).toEqual([]);

    await user.click(screen.getByRole("button", { name: "Cancel order" }));
    await user.click(screen.getByRole("button", { name: "Yes, cancel the order" }));
    expect(await screen.findByText("Cancelled: there is nothing you can change on this order now.")).toBeInTheDocument();
    expect(sent).toEqual([{ status: "CANCELLED" }]);
  });

  it("explains a stale version and reloads the order", async () => {
    let current = anOrder({ version: 1 });
    server.use(
      http.get("*/api/orders/:id", () => HttpResponse.json(current)),
      http.patch("*/api/orders/:id", () => {
        // Someone else shipped it in the meantime.
        current = anOrder({ status: "CONFIRMED", version: 2, allowed_transitions: ["SHIPPED", "CANCELLED"] });
        return HttpResponse.json(aProblem(412, { title: "Precondition Failed" }), { status: 412, headers: PROBLEM_HEADERS });
      }),
    );
    const { user } = renderApp(`/orders/${current.id}`);
    await user.click(await screen.findByRole("button", { name: "Confirm" }));

    expect(await screen.findByText(/Someone else changed this order/)).toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole("button", { name: "Mark shipped" })).toBeInTheDocument());
  });

  it("says when the customer's details are missing", async () => {
    server.use(http.get("*/api/orders/:id", () => HttpResponse.json(anOrder({ customer: null, unavailable: ["customer"] }))));
    renderApp(`/orders/${anOrder().id}`);

    expect(await screen.findByText(/The customer service is not answering/)).toBeInTheDocument();
    expect(screen.getByText("Customer unavailable")).toBeInTheDocument();
    expect(screen.getByTestId("order-detail-total")).toHaveTextContent("$25.00");
  });

  it("says a missing order is missing", async () => {
    server.use(
      http.get("*/api/orders/:id", () =>
        HttpResponse.json(aProblem(404, { title: "Not Found", detail: "Order not found." }), { status: 404, headers: PROBLEM_HEADERS }),
      ),
    );
    renderApp(`/orders/${anOrder().id}`);
    expect(await screen.findByRole("alert")).toHaveTextContent("Order not found.");
  });
});
