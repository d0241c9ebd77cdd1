import type { OrderStatus } from "../api/types";

export const ORDER_STATUSES: readonly OrderStatus[] = ["PENDING", "CONFIRMED", "SHIPPED", "DELIVERED", "CANCELLED"];

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
