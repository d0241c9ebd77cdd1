import type { RouteObject } from "react-router";
import { Allowed } from "./auth/Allowed";
import { RequireSession } from "./auth/RequireSession";
import { SessionRoot } from "./auth/SessionRoot";
import { Layout } from "./components/Layout";
import { CustomerNewPage } from "./pages/CustomerNewPage";
import { CustomerPage } from "./pages/CustomerPage";
import { CustomersPage } from "./pages/CustomersPage";
import { HomePage } from "./pages/HomePage";
import { LabPage } from "./pages/LabPage";
import { LoginPage } from "./pages/LoginPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { OrderNewPage } from "./pages/OrderNewPage";
import { OrderPage } from "./pages/OrderPage";
import { OrdersPage } from "./pages/OrdersPage";

export const routes: RouteObject[] = [
  {
    element: <SessionRoot />,
    children: [
      { path: "login", element: <LoginPage /> },
      {
        element: (
          <RequireSession>
            <Layout />
          </RequireSession>
        ),
        children: [
          { index: true, element: <HomePage /> },
          {
            path: "customers",
            element: (
              <Allowed to="customers:list" what="see the list of customers">
                <CustomersPage />
              </Allowed>
            ),
          },
          {
            path: "customers/new",
            element: (
              <Allowed to="customers:create" what="add customers">
                <CustomerNewPage />
              </Allowed>
            ),
          },
          { path: "customers/:customerId", element: <CustomerPage /> },
          {
            path: "orders",
            element: (
              <Allowed to="orders:list" what="see every order; your own are on your page">
                <OrdersPage />
              </Allowed>
            ),
          },
          { path: "orders/new", element: <OrderNewPage /> },
          { path: "orders/:orderId", element: <OrderPage /> },
          {
            path: "lab",
            element: (
              <Allowed to="lab" what="open the Lab: it is for administrators">
                <LabPage />
              </Allowed>
            ),
          },
          { path: "*", element: <NotFoundPage /> },
        ],
      },
    ],
  },
];
