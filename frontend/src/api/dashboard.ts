import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "./client";
import { dashboardKeys } from "./queryKeys";

export const DASHBOARD_REFRESH_MS = 5_000;

export function useDashboard() {
  return useQuery({
    queryKey: dashboardKeys.all,
    queryFn: async ({ signal }) => (await unwrap(api.GET("/api/dashboard", { signal }))).data,
    refetchInterval: DASHBOARD_REFRESH_MS,
  });
}
