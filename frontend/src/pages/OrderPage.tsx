import { useState } from "react";
import { useLocation, useParams } from "react-router";
import { ApiError } from "../api/errors";
import { useChangeOrderStatus, useOrder } from "../api/orders";
import type { OrderDetail, OrderStatus } from "../api/types";
import { EmptyState, ErrorMessage, Loading, PartialDataBanner } from "../components/feedback";
import { CustomerCell } from "../components/OrdersTable";
import { StatusBadge } from "../components/StatusBadge";
import { shortId } from "../lib/format";
import { DateTime } from "../components/DateTime";
import { statusLabel, transitionLabel } from "../lib/lifecycle";
import { OrdersCrumb } from "../components/OrdersCrumb";
import { formatMoney } from "../lib/money";

export function OrderPage() {
  const { orderId = "" } = useParams();
  const location = useLocation();
  const order = useOrder(orderId);
  const justCreated = (location.state as { created?: boolean } | null)?.created === true;

  return (
    <>
      <title>{`Order ${shortId(orderId)} · OrderFlow`}</title>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <OrdersCrumb /> / {shortId(orderId)}
      </nav>
      {order.isPending && <Loading label="Loading the order…" />}
      {order.isError && <ErrorMessage error={order.error} onRetry={() => order.refetch()} />}
      {order.data && (
        <>
          {justCreated && (
            <div className="alert alert--success" role="status">
              Order created.
            </div>
          )}
          <OrderDetails order={order.data} />
        </>
      )}
    </>
  );
}

function OrderDetails({ order }: { order: OrderDetail }) {
  return (
    <article className="stack">
      <header className="page-header">
        <h1>
          Order <span className="mono">#{shortId(order.id)}</span>
        </h1>
        <StatusBadge status={order.status} />
      </header>
      <PartialDataBanner unavailable={order.unavailable} />
      <dl className="facts">
        <div>
          <dt>Customer</dt>
          <dd>
            <CustomerCell order={order} />
          </dd>
        </div>
        <div>
          <dt>Total</dt>
          <dd data-testid="order-detail-total">{formatMoney(order.total_cents, order.currency)}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd><DateTime iso={order.created_at} /></dd>
        </div>
        <div>
          <dt>Updated</dt>
          <dd><DateTime iso={order.updated_at} /></dd>
        </div>
      </dl>
      <StatusActions order={order} />
      <section aria-labelledby="items-heading">
        <h2 id="items-heading">Items</h2>
        <ItemsTable order={order} />
      </section>
      {order.notes && (
        <section aria-labelledby="notes-heading">
          <h2 id="notes-heading">Notes</h2>
          <p className="notes">{order.notes}</p>
        </section>
      )}
    </article>
  );
}

/** Only the moves the API says this caller may make now (the lifecycle lives in the order
 * service, and knows that a customer may only cancel its own pending order). None offered says
 * just that: whether the status is final or only closed to this caller is the API's to know. */
export function StatusActions({ order }: { order: OrderDetail }) {
  const change = useChangeOrderStatus(order.id);
  const next = order.allowed_transitions;
  // Cancelling is final, so it asks first; the other moves are one click.
  const [confirmingCancel, setConfirmingCancel] = useState(false);

  function move(status: OrderStatus) {
    setConfirmingCancel(false);
    if (!change.isPending) change.mutate({ status, version: order.version });
  }

  return (
    <section className="card" aria-labelledby="status-heading">
      <h2 id="status-heading">Status</h2>
      {next.length === 0 ? (
        <p className="muted">{`${statusLabel(order.status)}: there is nothing you can change on this order now.`}</p>
      ) : (
        <div className="button-row">
          {next.map((status) => (
            <button
              key={status}
              type="button"
              className={status === "CANCELLED" ? "button button--danger" : "button button--primary"}
              onClick={() => (status === "CANCELLED" ? setConfirmingCancel(true) : move(status))}
              disabled={change.isPending || confirmingCancel}
            >
              {transitionLabel(status)}
            </button>
          ))}
        </div>
      )}
      {confirmingCancel && (
        <div className="confirm" role="group" aria-label="Confirm cancellation">
          <p>Cancel this order? A cancelled order cannot be reopened.</p>
          <div className="button-row">
            <button type="button" className="button button--danger" onClick={() => move("CANCELLED")}>
              Yes, cancel the order
            </button>
            {/* Focus lands on the safe choice, so Enter pressed by habit keeps the order. */}
            <button type="button" className="button" onClick={() => setConfirmingCancel(false)} autoFocus>
              Keep the order
            </button>
          </div>
        </div>
      )}
      {change.isError && <StatusChangeError error={change.error} />}
    </section>
  );
}

function StatusChangeError({ error }: { error: unknown }) {
  if (error instanceof ApiError && error.status === 412) {
    return (
      <div className="alert alert--warning" role="alert">
        <strong>Someone else changed this order</strong> while you were looking at it. The page now shows its
        latest version: check it, then choose again.
      </div>
    );
  }
  if (error instanceof ApiError && error.status === 409) {
    return (
      <div className="alert alert--error" role="alert">
        That status change is not allowed from the order’s current status. {error.problem?.detail ?? ""}
      </div>
    );
  }
  return <ErrorMessage error={error} />;
}

function ItemsTable({ order }: { order: OrderDetail }) {
  if (order.items.length === 0) return <EmptyState>This order has no items.</EmptyState>;
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">SKU</th>
            <th scope="col">Product</th>
            <th scope="col" className="num">
              Quantity
            </th>
            <th scope="col" className="num">
              Unit price
            </th>
            <th scope="col" className="num">
              Amount
            </th>
          </tr>
        </thead>
        <tbody>
          {order.items.map((item, index) => (
            <tr key={`${item.sku}-${index}`}>
              <td className="mono">{item.sku}</td>
              <td>{item.name}</td>
              <td className="num">{item.quantity}</td>
              <td className="num">{formatMoney(item.unit_price_cents, order.currency)}</td>
              <td className="num">{formatMoney(item.quantity * item.unit_price_cents, order.currency)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={4} className="num">
              Total
            </th>
            <td className="num">
              <strong>{formatMoney(order.total_cents, order.currency)}</strong>
            </td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
