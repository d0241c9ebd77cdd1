import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, retryAfterSeconds } from "./errors";
import { session } from "../auth/session";
import type { Problem } from "./types";

/**
 * The Lab's API (admin only): recent traces, faults injected in front of each upstream, and the
 * circuit breakers. Typed by hand in this one module until the gateway's OpenAPI document
 * describes it; the calls go through the session, as every API call does.
 */

/** What happened at a moment in a span: a retry, an injected fault, the breaker opening, an idempotent replay. */
export interface SpanEvent {
  name: string;
  /** Milliseconds since the request started, like the spans' start_ms. */
  at_ms: number;
  attributes: Record<string, unknown>;
}

export interface Span {
  span_id: string;
  parent_id: string | null;
  service: string;
  name: string;
  kind: string;
  /** Milliseconds since the request started. */
  start_ms: number;
  duration_ms: number;
  status: "ok" | "error";
  status_message: string | null;
  attributes: Record<string, unknown>;
  events: SpanEvent[];
}

export interface Trace {
  trace_id: string;
  request_id: string | null;
  method: string | null;
  path: string | null;
  status: number | null;
  started_at: string;
  duration_ms: number;
  spans: Span[];
}

export const ABORT_STATUSES = [500, 502, 503, 504] as const;
export type AbortStatus = (typeof ABORT_STATUSES)[number];

/** PUT /api/lab/faults/{service}: what to do to the requests going to that upstream. */
export interface FaultSpec {
  delay_ms: number;
  delay_percent: number;
  abort_status: AbortStatus | null;
  abort_percent: number;
  ttl_s: number;
}

/** A fault in force: the spec and when it ends by itself. */
export interface Fault extends FaultSpec {
  service: string;
  set_at: string;
  expires_at: string;
  /** Seconds left when the gateway answered: counted from then, the browser's clock does not matter. */
  expires_in_s: number;
}

export interface Faults {
  items: Fault[];
  /** The upstreams a fault may be set in front of. */
  services: string[];
}

export interface Circuit {
  service: string;
  state: "closed" | "open" | "half_open";
  /** Failed share (0..1) of the calls in the breaker's window; null with no calls in it. */
  failure_rate: number | null;
  window_calls: number;
  window_failures: number;
  /** Seconds until an open circuit lets a trial call through. */
  retry_after_s: number;
  in_flight: number;
  max_concurrency: number;
  queued: number;
}

export const TRACES_REFRESH_MS = 2_000;
export const CIRCUITS_REFRESH_MS = 1_000;

export const labKeys = {
  all: ["lab"] as const,
  traces: (limit: number) => ["lab", "traces", { limit }] as const,
  trace: (id: string) => ["lab", "trace", id] as const,
  faults: ["lab", "faults"] as const,
  circuits: ["lab", "circuits"] as const,
};

export function useTraces(limit: number, { live }: { live: boolean }) {
  return useQuery({
    queryKey: labKeys.traces(limit),
    queryFn: ({ signal }) => getJson<{ items: Trace[] }>(`/api/lab/traces?limit=${limit}`, signal),
    refetchInterval: live ? TRACES_REFRESH_MS : false,
    placeholderData: keepPreviousData,
  });
}

/** One trace: from the cache when it was picked from the list, else from the gateway (a shared link). */
export function useTrace(id: string | null) {
  return useQuery({
    queryKey: labKeys.trace(id ?? ""),
    queryFn: ({ signal }) => getJson<Trace>(`/api/lab/traces/${encodeURIComponent(id ?? "")}`, signal),
    enabled: id !== null,
    // A finished request's trace does not change.
    staleTime: Infinity,
  });
}

export function useFaults() {
  return useQuery({
    queryKey: labKeys.faults,
    queryFn: ({ signal }) => getJson<Faults>("/api/lab/faults", signal),
    refetchInterval: TRACES_REFRESH_MS,
  });
}

export function useCircuits({ live }: { live: boolean }) {
  return useQuery({
    queryKey: labKeys.circuits,
    queryFn: ({ signal }) => getJson<{ items: Circuit[] }>("/api/lab/circuits", signal),
    refetchInterval: live ? CIRCUITS_REFRESH_MS : false,
  });
}

export function usePutFault(service: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (spec: FaultSpec) =>
      send<Fault>(`/api/lab/faults/${encodeURIComponent(service)}`, { method: "PUT", body: JSON.stringify(spec) }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: labKeys.faults }),
  });
}

export function useClearFault(service: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => send<null>(`/api/lab/faults/${encodeURIComponent(service)}`, { method: "DELETE" }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: labKeys.faults }),
  });
}

function getJson<T>(path: string, signal: AbortSignal): Promise<T> {
  return send<T>(path, { signal });
}

async function send<T>(path: string, init: RequestInit): Promise<T> {
  const headers = init.body ? { "Content-Type": "application/json" } : undefined;
  let response: Response;
  try {
    response = await session.fetch(new Request(new URL(path, globalThis.location?.origin), { ...init, headers }));
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(null, null);
  }
  if (response.status === 204) return null as T;
  const body: unknown = await response.json().catch(() => null);
  if (response.ok) return body as T;
  const problem: Problem =
    body && typeof body === "object" && "status" in body ? (body as Problem) : { type: "about:blank", title: response.statusText, status: response.status };
  throw new ApiError(response.status, problem, retryAfterSeconds(response.headers));
}
