import type { OrderDetail, OrderStatus } from "../api/types";

export const ORDER_STATUSES: readonly OrderStatus[] = ["PENDING", "CONFIRMED", "SHIPPED", "DELIVERED", "CANCELLED"];

/** The order lifecycle, as the order service enforces it; the UI offers only these moves. */
const NEXT: Record<OrderStatus, readonly OrderStatus[]> = {
  PENDING: ["CONFIRMED", "CANCELLED"],
  CONFIRMED: ["SHIPPED", "CANCELLED"],
  SHIPPED: ["DELIVERED"],
  DELIVERED: [],
  CANCELLED: [],
};

export function allowedTransitions(status: OrderStatus): readonly OrderStatus[] {
  return NEXT[status];
}

/**
 * The moves this caller may make now. The API says so itself (`allowed_transitions` knows the
 * caller's role: a customer may only cancel its own pending order); the lifecycle is the answer
 * for an API that does not say.
 */
export function transitionsFor(order: OrderDetail): readonly OrderStatus[] {
  const fromApi = (order as { allowed_transitions?: readonly OrderStatus[] }).allowed_transitions;
  return fromApi ?? allowedTransitions(order.status);
}

export function statusLabel(status: OrderStatus): string {
  return status.charAt(0) + status.slice(1).toLowerCase();
}

/** The button text for moving an order into a status. */
export function transitionLabel(status: OrderStatus): string {
  const verbs: Record<OrderStatus, string> = {
    PENDING: "Reopen",
    CONFIRMED: "Confirm",
    SHIPPED: "Mark shipped",
    DELIVERED: "Mark delivered",
    CANCELLED: "Cancel order",
  };
  return verbs[status];
}
