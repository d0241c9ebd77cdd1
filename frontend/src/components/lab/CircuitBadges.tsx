import { useEffect, useRef, useState } from "react";
import type { Circuit } from "../../api/lab";

const STATES: Record<string, { label: string; tone: string }> = {
  closed: { label: "Closed", tone: "ok" },
  open: { label: "Open", tone: "bad" },
  half_open: { label: "Half-open", tone: "warn" },
};

export function circuitStateLabel(state: string): string {
  return STATES[state]?.label ?? state;
}

/** Each upstream's breaker as a badge that follows it live; a change of state is announced, the numbers are not. */
export function CircuitBadges({ circuits }: { circuits: readonly Circuit[] }) {
  const announcement = useStateChangeAnnouncement(circuits);
  return (
    <>
      <ul className="circuits">
        {circuits.map((circuit) => {
          const state = STATES[circuit.state] ?? { label: circuit.state, tone: "warn" };
          return (
            <li key={circuit.service} className={`circuit circuit--${state.tone}`} aria-label={`${circuit.service} circuit`}>
              <span className="circuit__service">{circuit.service}</span>
              <span className="circuit__state">{state.label}</span>
              <span className="circuit__figures">
                <span>{Math.round(circuit.failure_rate * 100)}% failing</span>
                <span>{circuit.in_flight} in flight</span>
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
