import type { Customer, Dashboard, OrderDetail, Problem } from "../api/types";

const NOW = "2026-01-15T10:00:00Z";

export function aCustomer(overrides: Partial<Customer> = {}): Customer {
  return {
    id: "11111111-1111-4111-8111-111111111111",
    name: "Ada Lovelace",
    email: "ada@example.com",
    created_by: "staff-1",
    created_at: NOW,
    updated_at: NOW,
    ...overrides,
  };
}

export function anOrder(overrides: Partial<OrderDetail> = {}): OrderDetail {
  const customer = aCustomer();
  return {
    id: "22222222-2222-4222-8222-222222222222",
    customer_id: customer.id,
    customer: { id: customer.id, name: customer.name, email: customer.email },
    status: "PENDING",
    items: [{ sku: "BOOK-1", name: "Notes on the Engine", quantity: 2, unit_price_cents: 1250 }],
    total_cents: 2500,
    currency: "USD",
    notes: null,
    version: 1,
    allowed_transitions: ["CONFIRMED", "CANCELLED"],
    created_by: "staff-1",
    created_at: NOW,
    updated_at: NOW,
    unavailable: [],
    ...overrides,
  };
}

export function aDashboard(overrides: Partial<Dashboard> = {}): Dashboard {
  return {
    customers: { total: 3 },
    orders: { total: 4, by_status: { PENDING: 1, CONFIRMED: 1, SHIPPED: 1, DELIVERED: 1, CANCELLED: 0 } },
    revenue_cents: 10_000,
    recent_orders: [anOrder()],
    services: {
      customer: { status: "up", latency_ms: 3, detail: null },
      order: { status: "up", latency_ms: 4, detail: null },
    },
    unavailable: [],
    ...overrides,
  };
}

export function aProblem(status: number, overrides: Partial<Problem> = {}): Problem {
  return { type: "about:blank", title: "Error", status, ...overrides };
}

export const PROBLEM_HEADERS = { "Content-Type": "application/problem+json" };
