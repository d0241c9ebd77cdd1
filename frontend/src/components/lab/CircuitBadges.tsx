import { useEffect, useRef, useState } from "react";
import type { Circuit } from "../../api/lab";

const STATES: Record<Circuit["state"], { label: string; tone: string }> = {
  closed: { label: "Closed", tone: "ok" },
  open: { label: "Open", tone: "bad" },
  half_open: { label: "Half-open", tone: "warn" },
};

export function circuitStateLabel(state: Circuit["state"]): string {
  return STATES[state].label;
}

/** Each upstream's breaker as a badge that follows it live; a change of state is announced, the numbers are not. */
export function CircuitBadges({ circuits }: { circuits: readonly Circuit[] }) {
  const announcement = useStateChangeAnnouncement(circuits);
  return (
    <>
      <ul className="circuits">
        {circuits.map((circuit) => {
          const state = STATES[circuit.state];
          return (
            <li key={circuit.service} className={`circuit circuit--${state.tone}`} aria-label={`${circuit.service} circuit`}>
              <span className="circuit__service">{circuit.service}</span>
              <span className="circuit__state">{state.label}</span>
              <span className="circuit__figures">
                <span>
                  {circuit.failure_rate === null
                    ? "no calls in its window"
                    : `${Math.round(circuit.failure_rate * 100)}% failing (${circuit.window_failures} of ${circuit.window_calls})`}
                </span>
                <span>
                  {circuit.in_flight} in flight{circuit.queued > 0 ? `, ${circuit.queued} queued` : ""}
                </span>
                {circuit.state === "open" && circuit.retry_after_s > 0 && <span>trial call in {Math.ceil(circuit.retry_after_s)} s</span>}
              </span>
            </li>
          );
        })}
      </ul>
      <p className="visually-hidden" aria-live="polite" data-testid="circuit-announcement">
        {announcement}
      </p>
    </>
  );
}

function useStateChangeAnnouncement(circuits: readonly Circuit[]): string {
  const previous = useRef<Map<string, string> | null>(null);
  const [message, setMessage] = useState("");
  useEffect(() => {
    const now = new Map(circuits.map((circuit) => [circuit.service, circuit.state]));
    const before = previous.current;
    previous.current = now;
    if (!before) return;
    const changes = [...now]
      .filter(([service, state]) => before.has(service) && before.get(service) !== state)
      .map(([service, state]) => `The ${service} circuit is now ${circuitStateLabel(state).toLowerCase()}.`);
    if (changes.length > 0) setMessage(changes.join(" "));
  }, [circuits]);
  return message;
}
