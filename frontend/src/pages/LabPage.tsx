import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useSearchParams } from "react-router";
import { ApiError } from "../api/errors";
import { useCircuits, useFaults, useTrace, useTraces, type Trace } from "../api/lab";
import { labKeys } from "../api/queryKeys";
import { ErrorMessage, Loading } from "../components/feedback";
import { CircuitBadges } from "../components/lab/CircuitBadges";
import { FaultControls } from "../components/lab/FaultControls";
import { Scenarios } from "../components/lab/Scenarios";
import { TraceList, TRACES_SHOWN } from "../components/lab/TraceList";
import { Waterfall } from "../components/lab/Waterfall";

/**
 * Where people watch the patterns work and break them on purpose: the recent requests (live),
 * one of them as a waterfall, the faults injected at the gateway, the breakers, and guided
 * scenarios that tie them together.
 */
export function LabPage() {
  const [live, setLive] = useState(true);
  const [hideOwn, setHideOwn] = useState(true);
  const [searchParams, setSearchParams] = useSearchParams();
  const selectedId = searchParams.get("trace");
  const queryClient = useQueryClient();
  const traces = useTraces(TRACES_SHOWN, { live });
  const circuits = useCircuits({ live: true });
  const faults = useFaults();
  const selected = useTrace(selectedId);
  const waterfall = useRef<HTMLElement>(null);
  const moveFocus = useRef(false);

  useEffect(() => {
    if (moveFocus.current && selected.data) {
      moveFocus.current = false;
      waterfall.current?.focus();
    }
  }, [selected.data]);

  if (traces.error instanceof ApiError && traces.error.status === 404) return <LabOff />;

  function select(trace: Trace) {
    queryClient.setQueryData(labKeys.trace(trace.trace_id), trace);
    moveFocus.current = true;
    setSearchParams({ trace: trace.trace_id }, { replace: true });
  }

  const shown = (traces.data?.items ?? []).filter((trace) => !(hideOwn && trace.path?.startsWith("/api/lab")));
  const faultList = faults.data?.items ?? [];

  return (
    <>
      <title>Lab · OrderFlow</title>
      <header className="page-header">
        <h1>Lab</h1>
      </header>
      <p className="lab__intro">
        Every request through the gateway leaves a trace here. Inject a fault in front of a service, use the app in another tab,
        and watch the retries, the timeouts and the breakers do their work.
      </p>

      <div className="lab">
        <section className="card lab__circuits" aria-labelledby="circuits-heading">
          <h2 id="circuits-heading">Circuit breakers</h2>
          {circuits.isPending && <Loading label="Loading the breakers…" />}
          {circuits.isError && <ErrorMessage error={circuits.error} onRetry={() => circuits.refetch()} />}
          {circuits.data && <CircuitBadges circuits={circuits.data.items} />}
        </section>

        <section className="card lab__requests" aria-labelledby="requests-heading">
          <header className="page-header">
            <h2 id="requests-heading">Recent requests</h2>
            <button type="button" className="button button--small" onClick={() => setLive((value) => !value)}>
              {live ? "Pause updates" : "Resume updates"}
            </button>
          </header>
          <div className="lab__options">
            <label className="checkbox">
              <input type="checkbox" checked={hideOwn} onChange={(e) => setHideOwn(e.target.checked)} /> Hide the Lab’s own requests
            </label>
            <span className="muted" role="status">
              {live ? "Updating every 2 s" : "Updates paused"}
            </span>
          </div>
          {traces.isPending && <Loading label="Loading requests…" />}
          {traces.isError && <ErrorMessage error={traces.error} onRetry={() => traces.refetch()} />}
          {traces.data &&
            (shown.length === 0 ? (
              <p className="muted">No requests yet. Use the app in another tab and they appear here.</p>
            ) : (
              <TraceList traces={shown} selectedId={selectedId} onSelect={select} />
            ))}
        </section>

        <section className="card lab__waterfall" aria-labelledby="selected-heading" ref={waterfall} tabIndex={-1}>
          <h2 id="selected-heading">Waterfall</h2>
          {selectedId === null && <p className="muted">Pick a request to see it cross the system.</p>}
          {selected.isPending && selectedId !== null && <Loading label="Loading the request…" />}
          {selected.isError &&
            (selected.error instanceof ApiError && selected.error.status === 404 ? (
              <p className="muted">That request is no longer in the Lab’s memory: only the most recent ones are kept.</p>
            ) : (
              <ErrorMessage error={selected.error} onRetry={() => selected.refetch()} />
            ))}
          {selected.data && <Waterfall trace={selected.data} />}
        </section>

        <section className="lab__faults" aria-labelledby="faults-heading">
          <h2 id="faults-heading">Faults</h2>
          <p className="muted">
            Injected by the gateway in front of each service, as a service mesh’s fault filter does. Each one ends by itself.
          </p>
          {faults.isPending && <Loading label="Loading the faults…" />}
          {faults.isError && <ErrorMessage error={faults.error} onRetry={() => faults.refetch()} />}
          <div className="faults">
            {faults.data?.services.map((service) => (
              <FaultControls
                key={service}
                service={service}
                fault={faultList.find((fault) => fault.service === service)}
                fetchedAt={faults.dataUpdatedAt}
              />
            ))}
          </div>
        </section>

        <section className="lab__scenarios" aria-labelledby="scenarios-heading">
          <h2 id="scenarios-heading">Guided scenarios</h2>
          <Scenarios />
        </section>
      </div>
    </>
  );
}

function LabOff() {
  return (
    <>
      <title>Lab · OrderFlow</title>
      <h1>Lab</h1>
      <div className="alert alert--warning" role="status">
        <p>
          The Lab is off on this gateway. It is on in <code>make run</code>; elsewhere start the gateway with{" "}
          <code>GATEWAY_LAB_ENABLED=true</code>.
        </p>
      </div>
    </>
  );
}
