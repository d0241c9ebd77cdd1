import { Link, useSearchParams } from "react-router";
import { useOrders } from "../api/orders";
import type { OrderStatus } from "../api/types";
import { EmptyState, ErrorMessage, Loading, PartialDataBanner } from "../components/feedback";
import { OrdersTable } from "../components/OrdersTable";
import { Pager } from "../components/Pager";
import { ORDER_STATUSES, statusLabel } from "../lib/lifecycle";
import { useCursorPages } from "../lib/useCursorPages";

function parseStatus(value: string | null): OrderStatus | null {
  return ORDER_STATUSES.find((status) => status === value) ?? null;
}

export function OrdersPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const status = parseStatus(searchParams.get("status"));
  const pages = useCursorPages(status ?? "");
  const orders = useOrders(status, pages.cursor);

  function filterBy(next: string) {
    setSearchParams(next ? { status: next } : {}, { replace: true });
  }

  return (
    <>
      <title>Orders · OrderFlow</title>
      <header className="page-header">
        <h1>Orders</h1>
        <Link to="/orders/new" className="button button--primary">
          New order
        </Link>
      </header>
      <div className="toolbar">
        <div className="field field--inline">
          <label htmlFor="status-filter">Status</label>
          <select id="status-filter" value={status ?? ""} onChange={(e) => filterBy(e.target.value)}>
            <option value="">All statuses</option>
            {ORDER_STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusLabel(s)}
              </option>
            ))}
          </select>
        </div>
        {orders.isFetching && !orders.isPending && <span className="muted" role="status">Updating…</span>}
      </div>
      {orders.isPending && <Loading label="Loading orders…" />}
      {orders.isError && <ErrorMessage error={orders.error} onRetry={() => orders.refetch()} />}
      {orders.data && (
        <>
          <PartialDataBanner unavailable={orders.data.unavailable} />
          {orders.data.items.length === 0 ? (
            <EmptyState>
              {status ? `No ${statusLabel(status).toLowerCase()} orders.` : "No orders yet."}{" "}
              <Link to="/orders/new">Create one</Link>.
            </EmptyState>
          ) : (
            <OrdersTable orders={orders.data.items} caption={status ? `${statusLabel(status)} orders` : "Orders"} />
          )}
          <Pager pages={pages} nextCursor={orders.data.next_cursor} busy={orders.isFetching} />
        </>
      )}
    </>
  );
}
