import type { FaultSpec } from "../api/lab";

/** A guided exercise in the Lab: one fault, what to do while it holds, what to watch, and its drill. */
export interface Scenario {
  id: string;
  title: string;
  service: string;
  fault: FaultSpec;
  todo: string[];
  watch: string[];
  /** The drill's section in docs/drills.md. */
  drill: string;
}

const NONE = { delay_ms: 0, delay_percent: 0, abort_status: null, abort_percent: 0 } as const;

export const SCENARIOS: readonly Scenario[] = [
  {
    id: "customer-slow",
    title: "The customer service is slow",
    service: "customer",
    // Longer than the gateway's 3 s read timeout for the customer service.
    fault: { ...NONE, delay_ms: 4_000, delay_percent: 100, ttl_s: 120 },
    todo: ["Open the dashboard and the customers page in another tab.", "Come back here and pick the newest requests."],
    watch: [
      "The customer spans end at the timeout and the requests answer 504.",
      "The customer circuit opens once enough calls in its window have failed; then the answers are fast 503s.",
      "The dashboard goes partial: it still shows the orders and says the customer figures are missing.",
    ],
    drill: "the-customer-service-is-slow",
  },
  {
    id: "order-flaky",
    title: "The order service fails half the time",
    service: "order",
    fault: { ...NONE, abort_status: 503, abort_percent: 50, ttl_s: 120 },
    todo: ["Open the orders list a few times.", "Create an order and double-click its button."],
    watch: [
      "Reads are retried: one request, several order spans, some marked as errors, the last one succeeding.",
      "The order creation carries an Idempotency-Key, so its retry is safe: the double click still makes one order.",
      "The order circuit's failure rate climbs; whether it opens depends on how many calls fail in its window.",
    ],
    drill: "the-order-service-fails-half-the-time",
  },
  {
    id: "service-down",
    title: "A service is down",
    service: "customer",
    fault: { ...NONE, abort_status: 503, abort_percent: 100, ttl_s: 60 },
    todo: ["Open the orders list and an order's page.", "Clear the fault (or let its time run out) and open them again."],
    watch: [
      "The circuit opens and stays open: the gateway answers 503 at once, without calling the customer service.",
      "Orders still list, with customer: null and “Customer unavailable”.",
      "After the fault ends the circuit goes half-open, lets a trial call through, and closes again.",
    ],
    drill: "a-service-is-down",
  },
];

/** Where the drills live in the repository; the UI links there when it is told the repository's address. */
export const DRILLS_PATH = "docs/drills.md";

export function drillHref(scenario: Scenario, repositoryUrl: string | undefined): string | null {
  if (!repositoryUrl) return null;
  return `${repositoryUrl.replace(/\/$/, "")}/${DRILLS_PATH}#${scenario.drill}`;
}
