import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import type { Circuit, Fault, FaultSpec, Trace } from "../api/lab";
import { aCircuit, aFault, aProblem, aSpan, aTrace, PROBLEM_HEADERS } from "../test/fixtures";
import { renderApp } from "../test/render";
import { server } from "../test/server";

const ORDER_CREATION = aTrace();
const CUSTOMER_READ = aTrace({
  trace_id: "c0ffee00c0ffee00c0ffee00c0ffee00",
  request_id: "req-2",
  method: "GET",
  path: "/api/customers",
  status: 504,
  duration_ms: 3_010,
  spans: [aSpan({ span_id: "x", parent_id: null, service: "gateway", name: "GET /api/customers", start_ms: 0, duration_ms: 3_010, status: "error" })],
});
const LAB_POLL = aTrace({ trace_id: "1ab1ab1ab1ab1ab1ab1ab1ab1ab1ab1a", method: "GET", path: "/api/lab/traces", status: 200, spans: [] });

interface LabState {
  traces: Trace[];
  circuits: Circuit[];
  faults: Fault[];
}

/** The Lab's routes on the mocked gateway, answering from `state` (tests change it to move time on); `calls` records each request. */
function serveLab(initial: Partial<LabState> = {}) {
  const state: LabState = {
    traces: [CUSTOMER_READ, ORDER_CREATION, LAB_POLL],
    circuits: [aCircuit(), aCircuit({ service: "order" })],
    faults: [],
    ...initial,
  };
  const services = ["customer", "order"];
  const calls: { method: string; path: string; body?: unknown }[] = [];
  server.use(
    http.get("*/api/lab/traces", ({ request }) => {
      calls.push({ method: "GET", path: `/api/lab/traces${new URL(request.url).search}` });
      return HttpResponse.json({ items: state.traces });
    }),
    http.get("*/api/lab/traces/:id", ({ params }) => {
      calls.push({ method: "GET", path: `/api/lab/traces/${String(params.id)}` });
      const trace = state.traces.find((t) => t.trace_id === params.id);
      return trace ? HttpResponse.json(trace) : HttpResponse.json(aProblem(404), { status: 404, headers: PROBLEM_HEADERS });
    }),
    http.get("*/api/lab/circuits", () => HttpResponse.json({ items: state.circuits })),
    http.get("*/api/lab/faults", () => HttpResponse.json({ items: state.faults, services })),
    http.put("*/api/lab/faults/:service", async ({ params, request }) => {
      const body = (await request.json()) as FaultSpec;
      calls.push({ method: "PUT", path: `/api/lab/faults/${String(params.service)}`, body });
      if (body.ttl_s > 3600) {
        return HttpResponse.json(
          aProblem(422, { errors: [{ location: "body", field: "ttl_s", message: "Input should be less than or equal to 3600", code: "less_than_equal" }] }),
          { status: 422, headers: PROBLEM_HEADERS },
        );
      }
      const fault: Fault = { ...body, abort_status: body.abort_status ?? null, service: String(params.service), set_at: "", expires_at: "", expires_in_s: body.ttl_s };
      state.faults = [...state.faults.filter((f) => f.service !== params.service), fault];
      return HttpResponse.json(fault);
    }),
    http.delete("*/api/lab/faults/:service", ({ params }) => {
      calls.push({ method: "DELETE", path: `/api/lab/faults/${String(params.service)}` });
      state.faults = state.faults.filter((f) => f.service !== params.service);
      return new HttpResponse(null, { status: 204 });
    }),
  );
  return { state, calls };
}

function requestList() {
  return within(screen.getByRole("region", { name: "Recent requests" }));
}

describe("the Lab page", () => {
  it("is for admins only: staff are told so, and the Lab API is not asked", async () => {
    renderApp("/lab", { as: "staff" });
    expect(await screen.findByRole("heading", { name: "Not for your role" })).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("Your role (staff) may not open the Lab");
  });

  it("says when the gateway has the Lab off", async () => {
    server.use(http.get("*/api/lab/*", () => HttpResponse.json(aProblem(404), { status: 404, headers: PROBLEM_HEADERS })));
    renderApp("/lab", { as: "admin" });
    expect(await screen.findByText(/The Lab is off on this gateway/)).toBeInTheDocument();
  });

  it("lists the recent requests newest first, without its own polling unless asked", async () => {
    serveLab();
    const { user } = renderApp("/lab", { as: "admin" });
    await screen.findByRole("button", { name: /GET \/api\/customers/ });

    const buttons = requestList().getAllByRole("button", { name: /\/api\// });
    expect(buttons.map((b) => b.textContent)).toEqual([expect.stringMatching(/^GET\/api\/customers504/), expect.stringMatching(/^POST\/api\/orders201/)]);
    await user.click(screen.getByRole("checkbox", { name: "Hide the Lab’s own requests" }));
    expect(requestList().getByRole("button", { name: /\/api\/lab\/traces/ })).toBeInTheDocument();
  });

  it("updates the list live, and stops when paused", async () => {
    const { state, calls } = serveLab({ traces: [ORDER_CREATION] });
    const { user } = renderApp("/lab", { as: "admin" });
    await screen.findByRole("button", { name: /POST \/api\/orders/ });

    state.traces = [CUSTOMER_READ, ORDER_CREATION];
    expect(await screen.findByRole("button", { name: /GET \/api\/customers/ })).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Pause updates" }));
    expect(screen.getByText("Updates paused")).toBeInTheDocument();
    const polls = calls.filter((c) => c.path.startsWith("/api/lab/traces?")).length;
    state.traces = [aTrace({ trace_id: "feed", path: "/api/dashboard", method: "GET" }), CUSTOMER_READ, ORDER_CREATION];
    // Longer than one polling interval: nothing more is asked while paused.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(calls.filter((c) => c.path.startsWith("/api/lab/traces?")).length).toBe(polls);
    expect(screen.queryByRole("button", { name: /\/api\/dashboard/ })).not.toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Resume updates" }));
    expect(await screen.findByRole("button", { name: /GET \/api\/dashboard/ })).toBeInTheDocument();
  });

  it("shows a picked request as a waterfall: spans by service, nested, errors and retries marked", async () => {
    serveLab();
    const { user, router } = renderApp("/lab", { as: "admin" });
    await user.click(await screen.findByRole("button", { name: /POST \/api\/orders/ }));

    const section = screen.getByRole("region", { name: "Waterfall" });
    expect(section).toHaveFocus();
    expect(router.state.location.search).toBe(`?trace=${ORDER_CREATION.trace_id}`);
    expect(screen.getByRole("button", { name: /POST \/api\/orders/ })).toHaveAttribute("aria-pressed", "true");

    const spans = within(section).getAllByRole("listitem").filter((li) => li.classList.contains("span"));
    expect(spans.map((li) => li.style.getPropertyValue("--depth"))).toEqual(["0", "1", "1", "2", "3"]);
    expect(spans.map((li) => li.querySelector(".span__service")?.textContent)).toEqual(["gateway", "gateway", "gateway", "order", "order"]);
    expect(within(spans[1]!).getByText("Error")).toBeInTheDocument();
    expect(within(spans[2]!).queryByText("Error")).not.toBeInTheDocument();
    expect(within(spans[1]!).getByText("503 Service Unavailable")).toBeInTheDocument();
    expect(within(spans[1]!).getByText("fault_abort (status=503)")).toBeInTheDocument();
    expect(within(spans[2]!).getByText("retry (attempt=2)")).toBeInTheDocument();
    expect(within(spans[2]!).getByText("retry.attempt: 2")).toBeInTheDocument();
    expect(within(section).getByText("req-1")).toBeInTheDocument();
    expect(within(section).getByText(/1 failed/)).toBeInTheDocument();
  });

  it("opens a shared link's request from the gateway", async () => {
    const { calls } = serveLab();
    renderApp(`/lab?trace=${CUSTOMER_READ.trace_id}`, { as: "admin" });
    const section = await screen.findByRole("region", { name: "Waterfall" });
    expect(await within(section).findByText("GET /api/customers")).toBeInTheDocument();
    expect(calls).toContainEqual({ method: "GET", path: `/api/lab/traces/${CUSTOMER_READ.trace_id}` });
  });

  it("shows the breakers with their figures, and announces a change of state", async () => {
    const { state } = serveLab({
      circuits: [aCircuit({ failure_rate: 0.25, window_calls: 8, window_failures: 2, in_flight: 3 }), aCircuit({ service: "order" })],
    });
    renderApp("/lab", { as: "admin" });
    const customer = await screen.findByRole("listitem", { name: "customer circuit" });
    expect(customer).toHaveTextContent("Closed");
    expect(customer).toHaveTextContent("25% failing (2 of 8)");
    expect(screen.getByRole("listitem", { name: "order circuit" })).toHaveTextContent("no calls in its window");
    expect(customer).toHaveTextContent("3 in flight");

    state.circuits = [aCircuit({ state: "open", failure_rate: 0.8, window_calls: 10, window_failures: 8, retry_after_s: 9.2 }), aCircuit({ service: "order" })];
    await waitFor(() => expect(screen.getByRole("listitem", { name: "customer circuit" })).toHaveTextContent("Open"));
    expect(screen.getByRole("listitem", { name: "customer circuit" })).toHaveTextContent("trial call in 10 s");
    expect(screen.getByTestId("circuit-announcement")).toHaveTextContent("The customer circuit is now open.");
  });
});

describe("the fault controls", () => {
  it("show the fault in force with its time left counting down", async () => {
    serveLab({ faults: [aFault()] });
    renderApp("/lab", { as: "admin" });
    const form = await screen.findByRole("form", { name: "customer" });
    expect(await within(form).findByText(/2000 ms delay on 50%/)).toBeInTheDocument();
    expect(within(form).getByTestId("fault-customer-countdown")).toHaveTextContent(/^2:0[45]$/);
    expect(within(form).getByLabelText("Delay")).toHaveValue("2000");
    expect(within(form).getByLabelText("Delay on")).toHaveValue("50");
  });

  it("apply what the controls say, and clear it", async () => {
    const { calls } = serveLab();
    const { user } = renderApp("/lab", { as: "admin" });
    const form = await screen.findByRole("form", { name: "order" });
    expect(within(form).getByText("No fault")).toBeInTheDocument();
    expect(within(form).getByRole("button", { name: "Clear order fault" })).toBeDisabled();

    fireEvent.change(within(form).getByLabelText("Delay"), { target: { value: "1500" } });
    fireEvent.change(within(form).getByLabelText("Delay on"), { target: { value: "25" } });
    await user.selectOptions(within(form).getByLabelText("Abort with"), "503");
    fireEvent.change(within(form).getByLabelText("Abort on"), { target: { value: "50" } });
    await user.clear(within(form).getByLabelText("Ends after (seconds)"));
    await user.type(within(form).getByLabelText("Ends after (seconds)"), "90");
    await user.click(within(form).getByRole("button", { name: "Apply to order" }));

    expect(await within(form).findByText(/1500 ms delay on 25%, 503 on 50%/)).toBeInTheDocument();
    expect(calls).toContainEqual({
      method: "PUT",
      path: "/api/lab/faults/order",
      body: { delay_ms: 1500, delay_percent: 25, abort_status: 503, abort_percent: 50, ttl_s: 90 },
    });

    await user.click(within(form).getByRole("button", { name: "Clear order fault" }));
    expect(await within(form).findByText("No fault")).toBeInTheDocument();
    expect(calls).toContainEqual({ method: "DELETE", path: "/api/lab/faults/order" });
  });

  it("list the API's errors that belong to no one field above the fields", async () => {
    serveLab();
    server.use(
      http.put("*/api/lab/faults/:service", () =>
        HttpResponse.json(
          aProblem(422, { errors: [{ location: "body", field: "", message: "Value error, abort_percent needs an abort_status", code: "value_error" }] }),
          { status: 422, headers: PROBLEM_HEADERS },
        ),
      ),
    );
    const { user } = renderApp("/lab", { as: "admin" });
    const form = await screen.findByRole("form", { name: "customer" });
    fireEvent.change(within(form).getByLabelText("Abort on"), { target: { value: "50" } });
    await user.click(within(form).getByRole("button", { name: "Apply to customer" }));
    expect(await within(form).findByRole("alert")).toHaveTextContent("abort_percent needs an abort_status");
  });

  it("show the API's validation errors next to the field", async () => {
    serveLab();
    const { user } = renderApp("/lab", { as: "admin" });
    const form = await screen.findByRole("form", { name: "customer" });
    const ttl = within(form).getByLabelText("Ends after (seconds)");
    await user.clear(ttl);
    await user.type(ttl, "5000");
    await user.click(within(form).getByRole("button", { name: "Apply to customer" }));

    expect(await within(form).findByText("Input should be less than or equal to 3600")).toBeInTheDocument();
    expect(ttl).toHaveAttribute("aria-invalid", "true");
    expect(ttl).toHaveAccessibleDescription("Input should be less than or equal to 3600");
  });
});

describe("the guided scenarios", () => {
  it("each say what to do and watch, name their drill, and apply their fault", async () => {
    const { calls } = serveLab();
    const { user } = renderApp("/lab", { as: "admin" });
    const scenarios = await screen.findByRole("region", { name: "Guided scenarios" });
    const titles = within(scenarios).getAllByRole("heading", { level: 3 }).map((h) => h.textContent);
    expect(titles).toEqual(["The customer service is slow", "The order service fails half the time", "A service is down"]);

    const flaky = within(scenarios).getByRole("article", { name: "The order service fails half the time" });
    expect(within(flaky).getByRole("heading", { name: "What to watch" })).toBeInTheDocument();
    expect(flaky).toHaveTextContent("docs/drills.md, “The order service fails half the time”");
    await user.click(within(flaky).getByRole("button", { name: "Start: the order service fails half the time" }));

    expect(await within(flaky).findByText(/Fault applied to the order service/)).toBeInTheDocument();
    expect(calls).toContainEqual({
      method: "PUT",
      path: "/api/lab/faults/order",
      body: { delay_ms: 0, delay_percent: 0, abort_status: 503, abort_percent: 50, ttl_s: 120 },
    });
    const form = screen.getByRole("form", { name: "order" });
    expect(await within(form).findByText(/503 on 50%/)).toBeInTheDocument();
  });
});
