import type { Circuit, Fault, Span, Trace } from "../api/lab";
import type { Me, Role } from "../api/auth";
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
    currency: "USD",
    recent_orders: [anOrder()],
    services: {
      customer: { status: "up", latency_ms: 3, detail: null },
      order: { status: "up", latency_ms: 4, detail: null },
      identity: { status: "up", latency_ms: 2, detail: null },
    },
    unavailable: [],
    ...overrides,
  };
}

export function aProblem(status: number, overrides: Partial<Problem> = {}): Problem {
  return { type: "about:blank", title: "Error", status, ...overrides };
}

export const PROBLEM_HEADERS = { "Content-Type": "application/problem+json" };

const USERS: Record<Role, Me> = {
  admin: { sub: "user-admin", email: "admin@example.com", name: "Grace Admin", roles: ["admin"], customer_id: null },
  staff: { sub: "user-staff", email: "staff@example.com", name: "Sam Staff", roles: ["staff"], customer_id: null },
  customer: { sub: "user-customer", email: "ada@example.com", name: "Ada Lovelace", roles: ["customer"], customer_id: aCustomer().id },
};

export function aUser(role: Role, overrides: Partial<Me> = {}): Me {
  return { ...USERS[role], ...overrides };
}

/** A stand-in access token; the msw gateway only compares it. */
export function tokenFor(role: Role, generation = 0): string {
  return `token-${role}-${generation}`;
}

/** A span with what every span has; `fields` says what this one is. */
export function aSpan(fields: Pick<Span, "span_id" | "parent_id" | "service" | "name" | "start_ms" | "duration_ms"> & Partial<Span>): Span {
  return { kind: "internal", status: "ok", status_message: null, attributes: {}, events: [], ...fields };
}

/** An order creation across the system: the gateway, one failed then one retried order call, the order service's handler and database. */
export function aTrace(overrides: Partial<Trace> = {}): Trace {
  return {
    trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
    request_id: "req-1",
    method: "POST",
    path: "/api/orders",
    status: 201,
    started_at: NOW,
    duration_ms: 120,
    spans: [
      aSpan({ span_id: "a", parent_id: null, service: "gateway", name: "POST /api/orders", kind: "server", start_ms: 0, duration_ms: 120, attributes: { "http.response.status_code": 201 } }),
      aSpan({
        span_id: "b", parent_id: "a", service: "gateway", name: "order POST /orders", kind: "client", start_ms: 5, duration_ms: 20,
        status: "error", status_message: "503 Service Unavailable", attributes: { "http.response.status_code": 503 },
        events: [{ name: "fault_abort", at_ms: 6, attributes: { status: 503 } }],
      }),
      aSpan({
        span_id: "c", parent_id: "a", service: "gateway", name: "order POST /orders", kind: "client", start_ms: 40, duration_ms: 75,
        attributes: { "retry.attempt": 2 }, events: [{ name: "retry", at_ms: 40, attributes: { attempt: 2 } }],
      }),
      aSpan({ span_id: "d", parent_id: "c", service: "order", name: "POST /orders", kind: "server", start_ms: 45, duration_ms: 60 }),
      aSpan({ span_id: "e", parent_id: "d", service: "order", name: "INSERT orders", start_ms: 60, duration_ms: 8, attributes: { "db.system": "sqlite" } }),
    ],
    ...overrides,
  };
}

export function aCircuit(overrides: Partial<Circuit> = {}): Circuit {
  return {
    service: "customer", state: "closed", failure_rate: null, window_calls: 0, window_failures: 0, retry_after_s: 0,
    in_flight: 0, max_concurrency: 64, queued: 0, ...overrides,
  };
}

export function aFault(overrides: Partial<Fault> = {}): Fault {
  return {
    service: "customer", delay_ms: 2_000, delay_percent: 50, abort_status: null, abort_percent: 0, ttl_s: 300,
    set_at: NOW, expires_at: NOW, expires_in_s: 125, ...overrides,
  };
}
