import { useSyncExternalStore } from "react";
import type { Me } from "../api/auth";
import { can, type Capability } from "./permissions";
import { session, type SessionState } from "./session";

export function useSession(): SessionState {
  return useSyncExternalStore(session.subscribe, session.getState);
}

/** The signed-in caller; only inside the signed-in part of the app, where there always is one. */
export function useUser(): Me {
  const state = useSession();
  if (state.status !== "signed-in") throw new Error("useUser() outside a signed-in session");
  return state.user;
}

export function useCan(capability: Capability): boolean {
  const state = useSession();
  return can(state.status === "signed-in" ? state.user : null, capability);
}
