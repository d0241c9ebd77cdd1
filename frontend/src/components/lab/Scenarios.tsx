import { usePutFault } from "../../api/lab";
import { DRILLS_PATH, drillHref, SCENARIOS, type Scenario } from "../../lib/scenarios";
import { ErrorMessage } from "../feedback";
import { describeFault } from "./FaultControls";

/** Set it at build time (VITE_REPOSITORY_URL=https://github.com/<you>/orderflow/blob/main) to link the drills. */
const REPOSITORY_URL: string | undefined = import.meta.env.VITE_REPOSITORY_URL;

export function Scenarios() {
  return (
    <ul className="scenarios">
      {SCENARIOS.map((scenario) => (
        <li key={scenario.id}>
          <ScenarioCard scenario={scenario} />
        </li>
      ))}
    </ul>
  );
}

function ScenarioCard({ scenario }: { scenario: Scenario }) {
  const put = usePutFault(scenario.service);
  const headingId = `scenario-${scenario.id}`;
  const href = drillHref(scenario, REPOSITORY_URL);
  const where = `${DRILLS_PATH}, “${scenario.title}”`;
  return (
    <article className="card scenario" aria-labelledby={headingId}>
      <h3 id={headingId}>{scenario.title}</h3>
      <p className="muted">
        Injects on the {scenario.service} service: {describeFault(scenario.fault)}, for {scenario.fault.ttl_s} s.
      </p>
      <h4>What to do</h4>
      <ol>
        {scenario.todo.map((step) => (
          <li key={step}>{step}</li>
        ))}
      </ol>
      <h4>What to watch</h4>
      <ul>
        {scenario.watch.map((sign) => (
          <li key={sign}>{sign}</li>
        ))}
      </ul>
      <p className="scenario__drill">
        The drill: {href ? <a href={href}>{where}</a> : <span className="mono">{where}</span>}
      </p>
      <div className="button-row">
        <button type="button" className="button button--primary" onClick={() => put.mutate(scenario.fault)} disabled={put.isPending}>
          {put.isPending ? "Applying…" : `Start: ${scenario.title.toLowerCase()}`}
        </button>
      </div>
      {put.isSuccess && (
        <p className="alert alert--success" role="status">
          Fault applied to the {scenario.service} service. Watch the requests and the breakers.
        </p>
      )}
      {put.isError && <ErrorMessage error={put.error} />}
    </article>
  );
}
