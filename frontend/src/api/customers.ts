import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "./client";
import { customerKeys } from "./queryKeys";
import type { CustomerCreate, CustomerUpdate } from "./types";

export function useCustomers(q: string, cursor: string | null, limit = 20) {
  return useQuery({
    queryKey: customerKeys.list(q, cursor, limit),
    queryFn: async ({ signal }) => {
      const query = { limit, ...(q ? { q } : {}), ...(cursor ? { cursor } : {}) };
      return (await unwrap(api.GET("/api/customers", { params: { query }, signal }))).data;
    },
    placeholderData: keepPreviousData,
  });
}

/** One customer; no request while `id` is null. */
export function useCustomer(id: string | null) {
  return useQuery({
    queryKey: customerKeys.detail(id ?? ""),
    queryFn: async ({ signal }) =>
      (await unwrap(api.GET("/api/customers/{customer_id}", { params: { path: { customer_id: id ?? "" } }, signal }))).data,
    enabled: id !== null,
  });
}

export function useCustomerOrders(id: string, cursor: string | null) {
  return useQuery({
    queryKey: customerKeys.orders(id, cursor),
    queryFn: async ({ signal }) => {
      const params = { path: { customer_id: id }, query: cursor ? { cursor } : {} };
      return (await unwrap(api.GET("/api/customers/{customer_id}/orders", { params, signal }))).data;
    },
    placeholderData: keepPreviousData,
  });
}

export function useCreateCustomer() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: CustomerCreate) => (await unwrap(api.POST("/api/customers", { body }))).data,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: customerKeys.all }),
  });
}

export function useUpdateCustomer(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: CustomerUpdate) =>
      (await unwrap(api.PATCH("/api/customers/{customer_id}", { params: { path: { customer_id: id } }, body }))).data,
    onSuccess: (customer) => {
      queryClient.setQueryData(customerKeys.detail(id), customer);
      return queryClient.invalidateQueries({ queryKey: customerKeys.all });
    },
  });
}
