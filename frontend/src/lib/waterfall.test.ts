import { describe, expect, it } from "vitest";
import { aTrace } from "../test/fixtures";
import { isError, layoutWaterfall, servicesOf } from "./waterfall";

describe("layoutWaterfall", () => {
  it("puts children under their parents, in start order, indented by depth", () => {
    const { rows } = layoutWaterfall(aTrace());
    expect(rows.map((row) => [row.span.span_id, row.depth])).toEqual([
      ["a", 0],
      ["b", 1],
      ["c", 1],
      ["d", 2],
      ["e", 3],
    ]);
  });

  it("places bars by start and duration on the trace's axis, from the earliest span", () => {
    const trace = aTrace();
    const shifted = { ...trace, spans: trace.spans.map((span) => ({ ...span, start_ms: span.start_ms + 1_000_000 })) };
    const { rows, totalMs } = layoutWaterfall(shifted);
    expect(totalMs).toBe(120);
    const insert = rows.find((row) => row.span.span_id === "e")!;
    expect(insert.startMs).toBe(60);
    expect(insert.offsetPercent).toBeCloseTo(50);
    expect(insert.widthPercent).toBeCloseTo((8 / 120) * 100);
  });

  it("gives a span whose parent is not in the trace a row of its own at the top level", () => {
    const trace = aTrace({ spans: [{ ...aTrace().spans[3]!, parent_id: "gone" }] });
    expect(layoutWaterfall(trace).rows.map((row) => row.depth)).toEqual([0]);
  });

  it("marks failed spans and what the retry and the breaker left on them", () => {
    const { rows } = layoutWaterfall(aTrace());
    expect(rows.filter((row) => row.error).map((row) => row.span.span_id)).toEqual(["b"]);
    const retried = rows.find((row) => row.span.span_id === "c")!;
    expect(retried.notes).toEqual([
      { label: "retry (attempt=2)", atMs: 40 },
      { label: "retry.attempt: 2", atMs: null },
    ]);
    expect(rows.find((row) => row.span.span_id === "b")!.notes).toEqual([{ label: "fault_abort (status=503)", atMs: 6 }]);
  });

  it("has nothing to place without spans", () => {
    expect(layoutWaterfall(aTrace({ spans: [] }))).toEqual({ rows: [], totalMs: 120 });
  });
});

describe("isError", () => {
  it("takes the span's status or a 5xx answer", () => {
    const span = aTrace().spans[0]!;
    expect(isError({ ...span, status: "error" })).toBe(true);
    expect(isError({ ...span, attributes: { "http.status_code": 504 } })).toBe(true);
    expect(isError({ ...span, attributes: { "http.response.status_code": 404 } })).toBe(false);
  });
});

describe("servicesOf", () => {
  it("names each service once, in the order they appear", () => {
    expect(servicesOf(aTrace())).toEqual(["gateway", "order"]);
  });
});
