import type { OrderStatus } from "../api/types";
import { ORDER_STATUSES, statusLabel } from "../lib/lifecycle";

/** Orders by status as horizontal bars: plain CSS, readable as text by a screen reader. */
export function StatusChart({ byStatus }: { byStatus: Partial<Record<OrderStatus, number>> }) {
  const max = Math.max(1, ...ORDER_STATUSES.map((status) => byStatus[status] ?? 0));
  return (
    <ul className="bar-chart" aria-label="Orders by status">
      {ORDER_STATUSES.map((status) => {
        const count = byStatus[status] ?? 0;
        return (
          <li key={status} className="bar-chart__row">
            <span className="bar-chart__label">{statusLabel(status)}</span>
            <span className="bar-chart__track" aria-hidden="true">
              <span className={`bar-chart__bar badge--${status.toLowerCase()}`} style={{ width: `${(count / max) * 100}%` }} />
            </span>
            <span className="bar-chart__value" data-testid={`status-count-${status}`}>
              {count}
            </span>
          </li>
        );
      })}
    </ul>
  );
}
