import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "./client";
import { ApiError } from "./errors";
import { customerKeys, dashboardKeys, orderKeys } from "./queryKeys";
import type { OrderCreate, OrderStatus } from "./types";

export function useOrders(status: OrderStatus | null, cursor: string | null, limit = 20) {
  return useQuery({
    queryKey: orderKeys.list(status, cursor, limit),
    queryFn: async ({ signal }) => {
      const query = { limit, ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) };
      return (await unwrap(api.GET("/api/orders", { params: { query }, signal }))).data;
    },
    placeholderData: keepPreviousData,
  });
}

export function useOrder(id: string) {
  return useQuery({
    queryKey: orderKeys.detail(id),
    queryFn: async ({ signal }) =>
      (await unwrap(api.GET("/api/orders/{order_id}", { params: { path: { order_id: id } }, signal }))).data,
  });
}

export interface CreateOrderInput {
  body: OrderCreate;
  /** The same key for retries of one submission, so the gateway never creates it twice. */
  idempotencyKey: string;
}

export function useCreateOrder() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ body, idempotencyKey }: CreateOrderInput) =>
      (await unwrap(api.POST("/api/orders", { body, headers: { "Idempotency-Key": idempotencyKey } }))).data,
    onSuccess: (order) => {
      queryClient.setQueryData(orderKeys.detail(order.id), order);
      return invalidateOrderViews(queryClient);
    },
  });
}

export interface ChangeStatusInput {
  status: OrderStatus;
  /** The version the person was looking at; a newer one on the server answers 412. */
  version: number;
}

export function useChangeOrderStatus(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ status, version }: ChangeStatusInput) => {
      const params = { path: { order_id: id } };
      const headers = { "If-Match": `"${version}"` };
      return (await unwrap(api.PATCH("/api/orders/{order_id}", { params, headers, body: { status } }))).data;
    },
    onSuccess: (order) => {
      queryClient.setQueryData(orderKeys.detail(id), order);
      return invalidateOrderViews(queryClient);
    },
    // A stale version (412) or a move that is no longer allowed (409): show what the order is now.
    onError: (error) => {
      if (error instanceof ApiError && (error.status === 412 || error.status === 409)) {
        return queryClient.invalidateQueries({ queryKey: orderKeys.detail(id) });
      }
    },
  });
}

/** Orders appear in order lists, customers' pages and the dashboard. */
function invalidateOrderViews(queryClient: ReturnType<typeof useQueryClient>) {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: orderKeys.lists() }),
    queryClient.invalidateQueries({ queryKey: customerKeys.ordersOfAll() }),
    queryClient.invalidateQueries({ queryKey: dashboardKeys.all }),
  ]);
}
