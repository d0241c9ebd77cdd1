import { act, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/errors";
import { ErrorMessage } from "./feedback";

describe("ErrorMessage", () => {
  it("counts a 429's Retry-After down to the moment a retry may go", () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date"] });
    render(<ErrorMessage error={new ApiError(429, { type: "about:blank", title: "Too Many Requests", status: 429 }, 3)} />);
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("Too many requests: try again in 3 s.");

    act(() => vi.advanceTimersByTime(1_000));
    expect(alert).toHaveTextContent("Too many requests: try again in 2 s.");
    act(() => vi.advanceTimersByTime(2_000));
    expect(alert).toHaveTextContent("Too many requests a moment ago. You can try again now.");
    // The sentence changes under the alert without being announced again at every tick.
    expect(alert.querySelector("p")).toHaveAttribute("aria-live", "off");
  });

  it("names the role a 403 is about", () => {
    render(<ErrorMessage error={new ApiError(403, { type: "about:blank", title: "Forbidden", status: 403 })} />);
    expect(screen.getByRole("alert")).toHaveTextContent("Your role may not do this.");
  });
});
