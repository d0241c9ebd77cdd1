import { Link } from "react-router";
import type { Order } from "../api/types";
import { shortId } from "../lib/format";
import { DateTime } from "./DateTime";
import { formatMoney } from "../lib/money";
import { StatusBadge } from "./StatusBadge";

interface OrdersTableProps {
  orders: readonly Order[];
  caption: string;
  showCustomer?: boolean;
}

export function OrdersTable({ orders, caption, showCustomer = true }: OrdersTableProps) {
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Order</th>
            {showCustomer && <th scope="col">Customer</th>}
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Total
            </th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {orders.map((order) => (
            <tr key={order.id}>
              <td>
                <Link to={`/orders/${order.id}`} className="mono">
                  #{shortId(order.id)}
                </Link>
              </td>
              {showCustomer && (
                <td>
                  <CustomerCell order={order} />
                </td>
              )}
              <td>
                <StatusBadge status={order.status} />
              </td>
              <td className="num">{formatMoney(order.total_cents, order.currency)}</td>
              <td><DateTime iso={order.created_at} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The customer's name, or an honest placeholder when the customer service could not say. */
export function CustomerCell({ order }: { order: Order }) {
  if (order.customer) return <Link to={`/customers/${order.customer.id}`}>{order.customer.name}</Link>;
  return (
    <span className="muted" title={`Customer ${order.customer_id}`}>
      Customer unavailable
    </span>
  );
}
