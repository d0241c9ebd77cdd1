import type { OrderStatus } from "./types";

/**
 * Every query key of the UI, made here and nowhere else. A view's key extends its family's, so
 * invalidating a family (`orderKeys.lists()`) reaches every page and filter under it.
 */

export const customerKeys = {
  all: ["customers"] as const,
  lists: () => [...customerKeys.all, "list"] as const,
  list: (q: string, cursor: string | null, limit: number) => [...customerKeys.lists(), { q, cursor, limit }] as const,
  detail: (id: string) => [...customerKeys.all, "detail", id] as const,
  ordersOfAll: () => [...customerKeys.all, "orders"] as const,
  orders: (id: string, cursor: string | null) => [...customerKeys.ordersOfAll(), id, { cursor }] as const,
};

export const orderKeys = {
  all: ["orders"] as const,
  lists: () => [...orderKeys.all, "list"] as const,
  list: (status: OrderStatus | null, cursor: string | null, limit: number) =>
    [...orderKeys.lists(), { status, cursor, limit }] as const,
  detail: (id: string) => [...orderKeys.all, "detail", id] as const,
};

export const configKeys = {
  all: ["config"] as const,
};

export const dashboardKeys = {
  all: ["dashboard"] as const,
};

export const labKeys = {
  all: ["lab"] as const,
  traces: (limit: number) => [...labKeys.all, "traces", { limit }] as const,
  trace: (id: string) => [...labKeys.all, "trace", id] as const,
  faults: () => [...labKeys.all, "faults"] as const,
  circuits: () => [...labKeys.all, "circuits"] as const,
};
