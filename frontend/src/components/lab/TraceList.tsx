import type { Trace } from "../../api/lab";

interface TraceListProps {
  traces: readonly Trace[];
  selectedId: string | null;
  onSelect: (trace: Trace) => void;
}

/** The recent requests, newest first; one button each, the selected one pressed. */
/** How many of the most recent requests the list asks for. */
export const TRACES_SHOWN = 30;

export function TraceList({ traces, selectedId, onSelect }: TraceListProps) {
  return (
    <ol className="traces">
      {traces.map((trace) => {
        const selected = trace.trace_id === selectedId;
        return (
          <li key={trace.trace_id}>
            <button
              type="button"
              className={`trace${selected ? " trace--selected" : ""}`}
              aria-pressed={selected}
              aria-label={`${trace.method ?? ""} ${trace.path ?? ""}, ${trace.status ?? "no answer"}, ${formatMs(trace.duration_ms)}, at ${new Date(trace.started_at).toLocaleTimeString()}`}
              onClick={() => onSelect(trace)}
            >
              <span className="trace__method">{trace.method}</span>
              <span className="trace__path">{trace.path}</span>
              <StatusCode status={trace.status} />
              <span className="trace__duration">{formatMs(trace.duration_ms)}</span>
              <time className="trace__time" dateTime={trace.started_at}>
                {new Date(trace.started_at).toLocaleTimeString()}
              </time>
            </button>
          </li>
        );
      })}
    </ol>
  );
}

export function StatusCode({ status }: { status: number | null }) {
  const tone = status === null || status >= 500 ? "bad" : status >= 400 ? "warn" : "ok";
  return <span className={`code code--${tone}`}>{status ?? "no answer"}</span>;
}

export function formatMs(ms: number): string {
  if (ms >= 1_000) return `${(ms / 1_000).toFixed(ms >= 10_000 ? 0 : 1)} s`;
  return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
}
