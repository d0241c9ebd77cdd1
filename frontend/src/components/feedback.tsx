import type { ReactNode } from "react";
import { ApiError, describeError } from "../api/errors";
import { useCountdown } from "../lib/useCountdown";
import { mainRole } from "../auth/permissions";
import { useSession } from "../auth/useSession";

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <p className="loading" role="status">
      {label}
    </p>
  );
}

export function EmptyState({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** A failed request in plain words, with a way to try again when that can help. */
export function ErrorMessage({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const state = useSession();
  const role = state.status === "signed-in" ? mainRole(state.user) : null;
  // "Try again in N s" counts down, so it is still true when read later; the alert is announced
  // once when it appears, not again at every tick (aria-live="off" inside it).
  const retryIn = useCountdown(error instanceof ApiError ? error.retryAt : null);
  return (
    <div className="alert alert--error" role="alert">
      <p aria-live={retryIn === null ? undefined : "off"}>{describeError(error, { role, retryIn })}</p>
      {onRetry && (
        <button type="button" className="button button--small" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** Says which services' data a composed answer is missing, so a partial page is never mistaken for a whole one. */
export function PartialDataBanner({ unavailable }: { unavailable: readonly string[] | null | undefined }) {
  if (!unavailable || unavailable.length === 0) return null;
  const names = unavailable.map((name) => `the ${name} service`).join(" and ");
  return (
    <div className="alert alert--warning" role="status">
      <strong>Showing partial data.</strong> {capitalize(names)} {unavailable.length > 1 ? "are" : "is"} not
      answering, so some details are missing. They will appear when {unavailable.length > 1 ? "they are" : "it is"} back.
    </div>
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
