import type { Span, Trace } from "../api/lab";

/** One span placed on the trace's time axis, in the order a waterfall reads: parents above their children. */
export interface WaterfallRow {
  span: Span;
  depth: number;
  /** Where the bar starts and how long it is, in percent of the trace. */
  offsetPercent: number;
  widthPercent: number;
  /** From the trace's start. */
  startMs: number;
  error: boolean;
  /** What the resilience machinery did on this span (retries, the breaker, injected faults, replays). */
  notes: Note[];
}

export interface Note {
  label: string;
  /** From the trace's start, for an event that says when. */
  atMs: number | null;
}

/** Attributes and events worth pointing at: what a retry, a breaker, a fault or an idempotent replay left on a span. */
const RESILIENCE = /retry|attempt|circuit|breaker|fault|idempot|replay|timeout/i;

export function layoutWaterfall(trace: Trace): { rows: WaterfallRow[]; totalMs: number } {
  const { spans } = trace;
  if (spans.length === 0) return { rows: [], totalMs: trace.duration_ms };
  // Spans count from the request's start; a clock that started later still draws from zero.
  const origin = Math.min(...spans.map((span) => span.start_ms));
  const end = Math.max(...spans.map((span) => span.start_ms + span.duration_ms));
  const totalMs = Math.max(trace.duration_ms, end - origin, 1);

  const ids = new Set(spans.map((span) => span.span_id));
  const children = new Map<string | null, Span[]>();
  for (const span of spans) {
    // A parent outside the trace (the browser's, or a span not kept) makes this one a root.
    const parent = span.parent_id !== null && ids.has(span.parent_id) ? span.parent_id : null;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  for (const list of children.values()) list.sort((a, b) => a.start_ms - b.start_ms);

  const rows: WaterfallRow[] = [];
  const visit = (span: Span, depth: number) => {
    const startMs = span.start_ms - origin;
    rows.push({
      span,
      depth,
      startMs,
      offsetPercent: (startMs / totalMs) * 100,
      widthPercent: Math.max((span.duration_ms / totalMs) * 100, 0.5),
      error: isError(span),
      notes: notesOf(span, origin),
    });
    for (const child of children.get(span.span_id) ?? []) visit(child, depth + 1);
  };
  for (const root of children.get(null) ?? []) visit(root, 0);
  return { rows, totalMs };
}

export function isError(span: Span): boolean {
  if (span.status === "error") return true;
  const code = Number(span.attributes["http.response.status_code"] ?? span.attributes["http.status_code"]);
  return Number.isFinite(code) && code >= 500;
}

function notesOf(span: Span, origin: number): Note[] {
  const fromAttributes = Object.entries(span.attributes)
    .filter(([key]) => RESILIENCE.test(key))
    .map(([key, value]) => ({ label: `${key}: ${String(value)}`, atMs: null }));
  const fromEvents = span.events.map((event) => {
    const details = Object.entries(event.attributes)
      .map(([key, value]) => `${key}=${String(value)}`)
      .join(", ");
    return { label: details ? `${event.name} (${details})` : event.name, atMs: event.at_ms - origin };
  });
  return [...fromEvents, ...fromAttributes];
}

/** The services in the order they first appear, for a legend and stable colours. */
export function servicesOf(trace: Trace): string[] {
  return [...new Set(trace.spans.map((span) => span.service))];
}
