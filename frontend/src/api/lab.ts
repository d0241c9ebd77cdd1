import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "./client";
import { labKeys } from "./queryKeys";
import type { FaultSpec } from "./types";

export type { Circuit, Fault, Faults, FaultSpec, Span, SpanEvent, Trace } from "./types";

/**
 * The Lab's API (admin only): recent traces, faults injected in front of each upstream, and the
 * circuit breakers. With the Lab off every path answers 404.
 */

export const ABORT_STATUSES = [500, 502, 503, 504] as const;
export type AbortStatus = (typeof ABORT_STATUSES)[number];

export const TRACES_REFRESH_MS = 2_000;
export const CIRCUITS_REFRESH_MS = 1_000;

export function useTraces(limit: number, { live }: { live: boolean }) {
  return useQuery({
    queryKey: labKeys.traces(limit),
    queryFn: async ({ signal }) => (await unwrap(api.GET("/api/lab/traces", { params: { query: { limit } }, signal }))).data,
    refetchInterval: live ? TRACES_REFRESH_MS : false,
    placeholderData: keepPreviousData,
  });
}

/** One trace: from the cache when it was picked from the list, else from the gateway (a shared link). */
export function useTrace(id: string | null) {
  return useQuery({
    queryKey: labKeys.trace(id ?? ""),
    queryFn: async ({ signal }) =>
      (await unwrap(api.GET("/api/lab/traces/{trace_id}", { params: { path: { trace_id: id ?? "" } }, signal }))).data,
    enabled: id !== null,
    // A finished request's trace does not change.
    staleTime: Infinity,
  });
}

export function useFaults() {
  return useQuery({
    queryKey: labKeys.faults(),
    queryFn: async ({ signal }) => (await unwrap(api.GET("/api/lab/faults", { signal }))).data,
    refetchInterval: TRACES_REFRESH_MS,
  });
}

export function useCircuits({ live }: { live: boolean }) {
  return useQuery({
    queryKey: labKeys.circuits(),
    queryFn: async ({ signal }) => (await unwrap(api.GET("/api/lab/circuits", { signal }))).data,
    refetchInterval: live ? CIRCUITS_REFRESH_MS : false,
  });
}

export function usePutFault(service: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: FaultSpec) =>
      (await unwrap(api.PUT("/api/lab/faults/{service}", { params: { path: { service } }, body }))).data,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: labKeys.faults() }),
  });
}

export function useClearFault(service: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      await unwrap(api.DELETE("/api/lab/faults/{service}", { params: { path: { service } } }));
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: labKeys.faults() }),
  });
}
