import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { customerKeys, dashboardKeys, labKeys, orderKeys } from "./queryKeys";

function stale(client: QueryClient, key: readonly unknown[]): boolean {
  return client.getQueryState(key)?.isInvalidated ?? false;
}

describe("query keys", () => {
  it("invalidating a family reaches every view under it and nothing else", async () => {
    const client = new QueryClient();
    const views = [
      orderKeys.list(null, null, 20),
      orderKeys.list("PENDING", "c1", 20),
      orderKeys.detail("o1"),
      customerKeys.list("", null, 20),
      customerKeys.orders("c1", null),
      dashboardKeys.all,
      labKeys.faults(),
    ];
    for (const key of views) client.setQueryData(key, {});

    await client.invalidateQueries({ queryKey: orderKeys.lists() });
    await client.invalidateQueries({ queryKey: customerKeys.ordersOfAll() });

    expect(views.map((key) => stale(client, key))).toEqual([true, true, false, false, true, false, false]);
  });

  it("keeps the families apart", () => {
    const families = [customerKeys.all, orderKeys.all, dashboardKeys.all, labKeys.all].map((key) => key[0]);
    expect(new Set(families).size).toBe(families.length);
  });
});
