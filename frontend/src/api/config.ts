import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "./client";
import { configKeys } from "./queryKeys";

/** What the API says about this deployment: the currency new orders are priced in. */
export function useConfig() {
  return useQuery({
    queryKey: configKeys.all,
    queryFn: async ({ signal }) => (await unwrap(api.GET("/api/config", { signal }))).data,
  });
}
