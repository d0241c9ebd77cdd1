import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { useCustomers } from "../api/customers";
import { EmptyState, ErrorMessage, Loading } from "../components/feedback";
import { Pager } from "../components/Pager";
import { DateTime } from "../components/DateTime";
import { useCursorPages } from "../lib/useCursorPages";
import { useDebouncedValue } from "../lib/useDebouncedValue";

export function CustomersPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const [text, setText] = useState(searchParams.get("q") ?? "");
  const q = useDebouncedValue(text.trim(), 300);
  const pages = useCursorPages(q);
  const customers = useCustomers(q, pages.cursor);

  function search(value: string) {
    setText(value);
    setSearchParams(value.trim() ? { q: value.trim() } : {}, { replace: true });
  }

  return (
    <>
      <title>Customers · OrderFlow</title>
      <header className="page-header">
        <h1>Customers</h1>
        <Link to="/customers/new" className="button button--primary">
          New customer
        </Link>
      </header>
      <div role="search" className="toolbar">
        <div className="field field--inline field--grow">
          <label htmlFor="customer-search">Search</label>
          <input id="customer-search" type="search" placeholder="Name or email" value={text} onChange={(e) => search(e.target.value)} />
        </div>
        {customers.isFetching && !customers.isPending && <span className="muted" role="status">Searching…</span>}
      </div>
      {customers.isPending && <Loading label="Loading customers…" />}
      {customers.isError && <ErrorMessage error={customers.error} onRetry={() => customers.refetch()} />}
      {customers.data && (
        <>
          {customers.data.items.length === 0 ? (
            <EmptyState>
              {q ? `No customer matches “${q}”.` : "No customers yet."} <Link to="/customers/new">Add a customer</Link>.
            </EmptyState>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <caption className="visually-hidden">Customers</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Email</th>
                    <th scope="col">Since</th>
                  </tr>
                </thead>
                <tbody>
                  {customers.data.items.map((customer) => (
                    <tr key={customer.id}>
                      <td>
                        <Link to={`/customers/${customer.id}`}>{customer.name}</Link>
                      </td>
                      <td>{customer.email}</td>
                      <td><DateTime iso={customer.created_at} /></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <Pager pages={pages} nextCursor={customers.data.next_cursor} busy={customers.isFetching} />
        </>
      )}
    </>
  );
}
