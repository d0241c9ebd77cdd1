import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { Outlet } from "react-router";
import { session } from "./session";
import { useSession } from "./useSession";

/**
 * The top of every route: restores the session on start (a reload keeps it, through the refresh
 * cookie) and empties the query cache when it ends, so the next person to sign in on this tab
 * never sees the last one's customers and orders.
 */
export function SessionRoot() {
  const state = useSession();
  const queryClient = useQueryClient();

  useEffect(() => {
    void session.restore();
  }, []);

  const signedOut = state.status === "signed-out";
  useEffect(() => {
    if (signedOut) queryClient.clear();
  }, [signedOut, queryClient]);

  return <Outlet />;
}
