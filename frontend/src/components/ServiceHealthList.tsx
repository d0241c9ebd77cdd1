import type { ServiceHealth } from "../api/types";

export function ServiceHealthList({ services }: { services: Record<string, ServiceHealth> }) {
  const entries = Object.entries(services);
  if (entries.length === 0) return <p className="empty">No services reported.</p>;
  return (
    <ul className="health-list">
      {entries.map(([name, health]) => (
        <li key={name} className="health-list__item">
          <span className={`dot dot--${health.status}`} aria-hidden="true" />
          <span className="health-list__name">{name} service</span>
          <span className={health.status === "up" ? "health-list__status" : "health-list__status text-danger"}>
            {health.status === "up" ? "Up" : "Down"}
          </span>
          <span className="muted">{latency(health.latency_ms)}</span>
          {health.detail && (
            <span className="health-list__detail" title={health.detail}>
              {health.detail}
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}

function latency(ms: number | null): string | null {
  return ms == null ? null : `${Math.round(ms)} ms`;
}
