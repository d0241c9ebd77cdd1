import { useState } from "react";
import { Link, useParams } from "react-router";
import { useCustomer, useCustomerOrders, useUpdateCustomer } from "../api/customers";
import type { Customer } from "../api/types";
import { CustomerForm } from "../components/CustomerForm";
import { EmptyState, ErrorMessage, Loading, PartialDataBanner } from "../components/feedback";
import { OrdersTable } from "../components/OrdersTable";
import { Pager } from "../components/Pager";
import { DateTime } from "../components/DateTime";
import { useCan } from "../auth/useSession";
import { useCursorPages } from "../lib/useCursorPages";
import { useSubmitOnce } from "../lib/useSubmitOnce";

export function CustomerPage() {
  const { customerId = "" } = useParams();
  const customer = useCustomer(customerId);
  const seesEveryCustomer = useCan("customers:list");
  return (
    <>
      <title>{`${customer.data?.name ?? "Customer"} · OrderFlow`}</title>
      {seesEveryCustomer && (
        <nav className="breadcrumbs" aria-label="Breadcrumbs">
          <Link to="/customers">Customers</Link> / {customer.data?.name ?? "Customer"}
        </nav>
      )}
      <div className="stack">
        {customer.isPending && <Loading label="Loading the customer…" />}
        {customer.isError && <ErrorMessage error={customer.error} onRetry={() => customer.refetch()} />}
        {customer.data && <CustomerDetails customer={customer.data} />}
        <CustomerOrders customerId={customerId} />
      </div>
    </>
  );
}

function CustomerDetails({ customer }: { customer: Customer }) {
  const [editing, setEditing] = useState(false);
  const update = useUpdateCustomer(customer.id);
  const submitting = useSubmitOnce();
  const mayEdit = useCan("customers:edit");

  if (editing) {
    return (
      <section className="stack">
        <h1>Edit {customer.name}</h1>
        <CustomerForm
          initial={{ name: customer.name, email: customer.email }}
          submitLabel="Save changes"
          pending={update.isPending}
          error={update.error}
          onSubmit={(values) =>
            submitting.run((done) => update.mutate(values, { onSuccess: () => setEditing(false), onSettled: done }))
          }
          onCancel={() => {
            update.reset();
            setEditing(false);
          }}
        />
      </section>
    );
  }
  return (
    <section className="stack">
      <header className="page-header">
        <h1>{customer.name}</h1>
        <div className="button-row">
          {mayEdit && (
            <button type="button" className="button" onClick={() => setEditing(true)}>
              Edit
            </button>
          )}
          <Link to={`/orders/new?customer=${customer.id}`} className="button button--primary">
            New order
          </Link>
        </div>
      </header>
      <dl className="facts">
        <div>
          <dt>Email</dt>
          <dd>{customer.email}</dd>
        </div>
        <div>
          <dt>Customer since</dt>
          <dd><DateTime iso={customer.created_at} /></dd>
        </div>
        <div>
          <dt>Updated</dt>
          <dd><DateTime iso={customer.updated_at} /></dd>
        </div>
      </dl>
    </section>
  );
}

/** Loaded on its own: the orders still show when only the customer's own record fails, and the other way round. */
function CustomerOrders({ customerId }: { customerId: string }) {
  const pages = useCursorPages(customerId);
  const orders = useCustomerOrders(customerId, pages.cursor);
  return (
    <section aria-labelledby="customer-orders-heading" className="stack">
      <h2 id="customer-orders-heading">Orders</h2>
      {orders.isPending && <Loading label="Loading orders…" />}
      {orders.isError && <ErrorMessage error={orders.error} onRetry={() => orders.refetch()} />}
      {orders.data && (
        <>
          <PartialDataBanner unavailable={orders.data.unavailable} />
          {orders.data.items.length === 0 ? (
            <EmptyState>No orders for this customer yet.</EmptyState>
          ) : (
            <OrdersTable orders={orders.data.items} caption="This customer's orders" showCustomer={false} />
          )}
          <Pager pages={pages} nextCursor={orders.data.next_cursor} busy={orders.isFetching} />
        </>
      )}
    </section>
  );
}
