import type { OrderStatus } from "../api/types";
import { statusLabel } from "../lib/lifecycle";

export function StatusBadge({ status }: { status: OrderStatus }) {
  return <span className={`badge badge--${status.toLowerCase()}`}>{statusLabel(status)}</span>;
}
