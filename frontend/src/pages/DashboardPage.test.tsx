import { screen, within } from "@testing-library/react";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { aDashboard } from "../test/fixtures";
import { renderApp } from "../test/render";
import { server } from "../test/server";

describe("the dashboard", () => {
  it("shows the figures, the chart, recent orders and service health", async () => {
    server.use(http.get("*/api/dashboard", () => HttpResponse.json(aDashboard())));
    renderApp("/");

    expect(await screen.findByTestId("stat-customers")).toHaveTextContent("3");
    expect(screen.getByTestId("stat-orders")).toHaveTextContent("4");
    expect(screen.getByTestId("stat-revenue")).toHaveTextContent("$100.00");
    expect(screen.getByTestId("status-count-SHIPPED")).toHaveTextContent("1");
    expect(screen.getByRole("link", { name: "Ada Lovelace" })).toBeInTheDocument();
    expect(screen.getByText("customer service")).toBeInTheDocument();
  });

  it("shows the revenue in the currency the API names", async () => {
    server.use(http.get("*/api/dashboard", () => HttpResponse.json(aDashboard({ revenue_cents: 123_456, currency: "EUR" }))));
    renderApp("/");

    expect(await screen.findByTestId("stat-revenue")).toHaveTextContent("€1,234.56");
  });

  it("shows what it can when the customer service is down", async () => {
    const dashboard = aDashboard({
      customers: null,
      recent_orders: [{ ...aDashboard().recent_orders![0]!, customer: null }],
      services: {
        customer: { status: "down", latency_ms: null, detail: "connection refused" },
        order: { status: "up", latency_ms: 4, detail: null },
        identity: { status: "up", latency_ms: 2, detail: null },
      },
      unavailable: ["customer"],
    });
    server.use(http.get("*/api/dashboard", () => HttpResponse.json(dashboard)));
    renderApp("/");

    expect(await screen.findByText(/Showing partial data/)).toBeInTheDocument();
    expect(screen.getByTestId("stat-customers")).toHaveTextContent("Unavailable");
    expect(screen.getByTestId("stat-orders")).toHaveTextContent("4");
    expect(screen.getByText("Customer unavailable")).toBeInTheDocument();
    const health = screen.getByRole("region", { name: "Service health" });
    expect(within(health).getByText("Down")).toBeInTheDocument();
    expect(within(health).getByText(/connection refused/)).toBeInTheDocument();
  });
});
