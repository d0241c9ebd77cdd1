import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router";
import { Loading } from "../components/feedback";
import { useSession } from "./useSession";

/** Where the login page sends a person back to once they have signed in. */
export interface ReturnTo {
  from?: { pathname: string; search: string; hash: string };
}

/**
 * The signed-in part of the app. Without a session it sends the person to the login page,
 * remembering this page when the session ended under them (or never was), so they come back to
 * it; someone who chose to sign out starts from the home page next time.
 */
export function RequireSession({ children }: { children: ReactNode }) {
  const state = useSession();
  const { pathname, search, hash } = useLocation();
  if (state.status === "starting") return <Loading label="Signing you in…" />;
  if (state.status === "signed-out") {
    const returnTo: ReturnTo = state.reason === "signed-out" ? {} : { from: { pathname, search, hash } };
    return <Navigate to="/login" replace state={returnTo} />;
  }
  return children;
}
