import { QueryClient } from "@tanstack/react-query";
import { ApiError } from "./errors";

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 5_000,
        // A 4xx will not change by asking again; the gateway's 502/503/504 and no answer might.
        retry: (failures, error) => failures < 2 && !(error instanceof ApiError && error.status !== null && error.status < 500),
      },
    },
  });
}
