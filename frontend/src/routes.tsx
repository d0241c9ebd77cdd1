import type { RouteObject } from "react-router";
import { Layout } from "./components/Layout";
import { CustomerNewPage } from "./pages/CustomerNewPage";
import { CustomerPage } from "./pages/CustomerPage";
import { CustomersPage } from "./pages/CustomersPage";
import { DashboardPage } from "./pages/DashboardPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { OrderNewPage } from "./pages/OrderNewPage";
import { OrderPage } from "./pages/OrderPage";
import { OrdersPage } from "./pages/OrdersPage";

export const routes: RouteObject[] = [
  {
    element: <Layout />,
    children: [
      { index: true, element: <DashboardPage /> },
      { path: "customers", element: <CustomersPage /> },
      { path: "customers/new", element: <CustomerNewPage /> },
      { path: "customers/:customerId", element: <CustomerPage /> },
      { path: "orders", element: <OrdersPage /> },
      { path: "orders/new", element: <OrderNewPage /> },
      { path: "orders/:orderId", element: <OrderPage /> },
      { path: "*", element: <NotFoundPage /> },
    ],
  },
];
