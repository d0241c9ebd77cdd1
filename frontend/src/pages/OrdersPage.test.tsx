import { screen, waitFor } from "@testing-library/react";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { anOrder, aProblem, PROBLEM_HEADERS } from "../test/fixtures";
import { renderApp } from "../test/render";
import { server } from "../test/server";

describe("the orders page", () => {
  it("keeps listing orders when the customer service is down, and says so", async () => {
    server.use(
      http.get("*/api/orders", () =>
        HttpResponse.json({ items: [anOrder({ customer: null })], next_cursor: null, unavailable: ["customer"] }),
      ),
    );
    renderApp("/orders");

    expect(await screen.findByText("Customer unavailable")).toBeInTheDocument();
    expect(screen.getByText(/Showing partial data/)).toBeInTheDocument();
    expect(screen.getByText("$25.00")).toBeInTheDocument();
  });

  it("filters by status and pages with the cursor", async () => {
    const requests: URLSearchParams[] = [];
    server.use(
      http.get("*/api/orders", ({ request }) => {
        const params = new URL(request.url).searchParams;
        requests.push(params);
        const page2 = params.get("cursor") === "c2";
        return HttpResponse.json({
          items: [anOrder({ id: page2 ? "33333333-3333-4333-8333-333333333333" : anOrder().id })],
          next_cursor: page2 ? null : "c2",
          unavailable: [],
        });
      }),
    );
    const { user, router } = renderApp("/orders");
    await screen.findByText("#22222222");

    await user.selectOptions(screen.getByLabelText("Status"), "SHIPPED");
    await waitFor(() => expect(requests.at(-1)?.get("status")).toBe("SHIPPED"));
    expect(router.state.location.search).toBe("?status=SHIPPED");

    await user.click(await screen.findByRole("button", { name: "Next →" }));
    expect(await screen.findByText("#33333333")).toBeInTheDocument();
    expect(requests.at(-1)?.get("cursor")).toBe("c2");
    expect(requests.at(-1)?.get("status")).toBe("SHIPPED");
    expect(screen.getByText("Page 2")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "← Previous" }));
    expect(await screen.findByText("#22222222")).toBeInTheDocument();

    // Another filter starts again from its first page.
    await user.click(screen.getByRole("button", { name: "Next →" }));
    await screen.findByText("Page 2");
    await user.selectOptions(screen.getByLabelText("Status"), "PENDING");
    await waitFor(() => expect(requests.at(-1)?.get("status")).toBe("PENDING"));
    expect(requests.at(-1)?.has("cursor")).toBe(false);
    expect(await screen.findByText("Page 1")).toBeInTheDocument();
  });

  it("puts a gateway failure in plain words", async () => {
    server.use(
      http.get("*/api/orders", () =>
        HttpResponse.json(aProblem(503, { title: "Service Unavailable", detail: "circuit open: order" }), {
          status: 503,
          headers: { ...PROBLEM_HEADERS, "Retry-After": "10" },
        }),
      ),
    );
    renderApp("/orders");
    expect(await screen.findByRole("alert")).toHaveTextContent("A service needed for this is unavailable right now. Try again in 10 s.");
    expect(screen.getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });

  it("says when there are no orders", async () => {
    server.use(http.get("*/api/orders", () => HttpResponse.json({ items: [], next_cursor: null, unavailable: [] })));
    renderApp("/orders");
    expect(await screen.findByText(/No orders yet/)).toBeInTheDocument();
  });

  it("says when the gateway cannot be reached", async () => {
    server.use(http.get("*/api/orders", () => HttpResponse.error()));
    renderApp("/orders");
    expect(await screen.findByRole("alert")).toHaveTextContent(/Cannot reach the OrderFlow gateway/);
  });
});
