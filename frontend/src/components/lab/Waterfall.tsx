import type { CSSProperties } from "react";
import type { Trace } from "../../api/lab";
import { layoutWaterfall, servicesOf, type WaterfallRow } from "../../lib/waterfall";
import { formatMs, StatusCode } from "./TraceList";

/** A few distinct colours, given to services in the order they appear; the legend names them. */
const PALETTE = 6;

/** One request across the system: every span on one time axis, children indented under their parents. */
export function Waterfall({ trace }: { trace: Trace }) {
  const { rows, totalMs } = layoutWaterfall(trace);
  const services = servicesOf(trace);
  const colour = (service: string) => `svc-${services.indexOf(service) % PALETTE}`;
  const errors = rows.filter((row) => row.error).length;
  return (
    <article className="waterfall" aria-labelledby="waterfall-heading">
      <header className="waterfall__header">
        <h3 id="waterfall-heading">
          <span className="trace__method">{trace.method}</span> <span className="mono">{trace.path}</span>{" "}
          <StatusCode status={trace.status} />
        </h3>
        <dl className="waterfall__facts">
          <div>
            <dt>Duration</dt>
            <dd>{formatMs(trace.duration_ms)}</dd>
          </div>
          <div>
            <dt>Spans</dt>
            <dd>
              {rows.length}
              {errors > 0 && <span className="text-danger"> · {errors} failed</span>}
            </dd>
          </div>
          <div>
            <dt>Request id</dt>
            <dd className="mono">{trace.request_id ?? "—"}</dd>
          </div>
          <div>
            <dt>Trace id</dt>
            <dd className="mono">{trace.trace_id}</dd>
          </div>
        </dl>
        <ul className="legend" aria-label="Services">
          {services.map((service) => (
            <li key={service}>
              <span className={`legend__swatch ${colour(service)}`} aria-hidden="true" /> {service}
            </li>
          ))}
        </ul>
      </header>
      {rows.length === 0 ? (
        <p className="muted">This request left no spans.</p>
      ) : (
        <ol className="waterfall__rows" aria-label={`Spans, on a ${formatMs(totalMs)} axis`}>
          {rows.map((row) => (
            <SpanRow key={row.span.span_id} row={row} colour={colour(row.span.service)} totalMs={totalMs} />
          ))}
        </ol>
      )}
    </article>
  );
}

function SpanRow({ row, colour, totalMs }: { row: WaterfallRow; colour: string; totalMs: number }) {
  const { span } = row;
  const attributes = Object.entries(span.attributes);
  return (
    <li className={`span${row.error ? " span--error" : ""}`} style={{ "--depth": row.depth } as CSSProperties}>
      <div className="span__label">
        <span className={`span__service ${colour}`}>{span.service}</span>
        <span className="span__name">{span.name}</span>
        {row.error && <span className="span__error">Error</span>}
        {row.error && span.status_message && <span className="span__message">{span.status_message}</span>}
        <span className="span__time">
          +{formatMs(row.startMs)} · {formatMs(span.duration_ms)}
        </span>
      </div>
      <div className="span__track" aria-hidden="true">
        <span className={`span__bar ${colour}`} style={{ left: `${row.offsetPercent}%`, width: `${row.widthPercent}%` }} />
        {row.notes
          .filter((note) => note.atMs !== null)
          .map((note, index) => (
            <span key={index} className="span__event" style={{ left: `${((note.atMs ?? 0) / totalMs) * 100}%` }} />
          ))}
      </div>
      {row.notes.length > 0 && (
        <ul className="span__notes" aria-label="What the resilience machinery did">
          {row.notes.map((note, index) => (
            <li key={index}>
              {note.label}
              {note.atMs !== null && <span className="muted"> at +{formatMs(note.atMs)}</span>}
            </li>
          ))}
        </ul>
      )}
      {attributes.length > 0 && (
        <details className="span__attributes">
          <summary>Attributes ({attributes.length})</summary>
          <dl>
            {attributes.map(([key, value]) => (
              <div key={key}>
                <dt className="mono">{key}</dt>
                <dd className="mono">{typeof value === "string" ? value : JSON.stringify(value)}</dd>
              </div>
            ))}
          </dl>
        </details>
      )}
    </li>
  );
}
