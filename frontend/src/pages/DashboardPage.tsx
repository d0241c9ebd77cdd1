import { Link } from "react-router";
import { useDashboard } from "../api/dashboard";
import type { Dashboard } from "../api/types";
import { EmptyState, ErrorMessage, Loading, PartialDataBanner } from "../components/feedback";
import { OrdersTable } from "../components/OrdersTable";
import { ServiceHealthList } from "../components/ServiceHealthList";
import { StatusChart } from "../components/StatusChart";
import { formatMoney } from "../lib/money";

export function DashboardPage() {
  const dashboard = useDashboard();
  return (
    <>
      <title>Dashboard · OrderFlow</title>
      <header className="page-header">
        <h1>Dashboard</h1>
        <span className="muted" aria-live="polite">
          {dashboard.dataUpdatedAt ? `Updated ${new Date(dashboard.dataUpdatedAt).toLocaleTimeString()}` : ""}
        </span>
      </header>
      {dashboard.isPending && <Loading label="Loading the dashboard…" />}
      {/* With data already shown, a failed refresh is a note above it, not a blank page. */}
      {dashboard.isError && <ErrorMessage error={dashboard.error} onRetry={() => dashboard.refetch()} />}
      {dashboard.data && <DashboardView data={dashboard.data} />}
    </>
  );
}

function DashboardView({ data }: { data: Dashboard }) {
  return (
    <div className="stack">
      <PartialDataBanner unavailable={data.unavailable} />
      <div className="stats">
        <Stat label="Customers" value={data.customers?.total} testId="stat-customers" />
        <Stat label="Orders" value={data.orders?.total} testId="stat-orders" />
        <Stat label="Revenue" value={data.revenue_cents == null ? null : formatMoney(data.revenue_cents, data.currency)} testId="stat-revenue" />
      </div>
      <div className="grid-2">
        <section className="card" aria-labelledby="by-status-heading">
          <h2 id="by-status-heading">Orders by status</h2>
          {data.orders ? <StatusChart byStatus={data.orders.by_status} /> : <Unavailable />}
        </section>
        <section className="card" aria-labelledby="health-heading">
          <h2 id="health-heading">Service health</h2>
          <ServiceHealthList services={data.services} />
        </section>
      </div>
      <section className="card" aria-labelledby="recent-heading">
        <header className="page-header">
          <h2 id="recent-heading">Recent orders</h2>
          <Link to="/orders">All orders</Link>
        </header>
        {data.recent_orders == null ? (
          <Unavailable />
        ) : data.recent_orders.length === 0 ? (
          <EmptyState>
            No orders yet. <Link to="/orders/new">Create the first one</Link>.
          </EmptyState>
        ) : (
          <OrdersTable orders={data.recent_orders} caption="Recent orders" />
        )}
      </section>
    </div>
  );
}

function Stat({ label, value, testId }: { label: string; value: number | string | null | undefined; testId: string }) {
  return (
    <section className="card stat">
      <h2 className="stat__label">{label}</h2>
      <p className="stat__value" data-testid={testId}>
        {value ?? <span className="muted">Unavailable</span>}
      </p>
    </section>
  );
}

function Unavailable() {
  return <p className="muted">Unavailable right now.</p>;
}
