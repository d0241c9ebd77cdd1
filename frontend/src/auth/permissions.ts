import type { Me, Role } from "../api/auth";

/**
 * What each role may do, as far as the UI offers it. The API is the judge (it answers 403 or
 * 404 whatever the UI shows); this table only keeps people from being offered what they would be
 * refused.
 */
export type Capability =
  | "dashboard"
  | "customers:list"
  | "customers:create"
  | "customers:edit"
  | "orders:list"
  | "orders:for-any-customer"
  | "lab";

const STAFF: readonly Capability[] = [
  "dashboard",
  "customers:list",
  "customers:create",
  "customers:edit",
  "orders:list",
  "orders:for-any-customer",
];

const GRANTS: Record<Role, readonly Capability[]> = {
  admin: [...STAFF, "lab"],
  staff: STAFF,
  // Its own customer record and orders: what it may do there, the API says per order.
  customer: [],
};

export function can(user: Me | null, capability: Capability): boolean {
  return user?.roles.some((role) => isRole(role) && GRANTS[role].includes(capability)) ?? false;
}

/** The role to name when saying who is signed in: the most powerful one held. */
export function mainRole(user: Me): Role | null {
  return (["admin", "staff", "customer"] as const).find((role) => user.roles.includes(role)) ?? null;
}

/** A customer account sees only its own record; everyone else sees every customer. */
export function ownCustomerId(user: Me | null): string | null {
  return user && !can(user, "customers:list") ? user.customer_id : null;
}

export function roleLabel(role: Role | null): string {
  return role ? role.charAt(0).toUpperCase() + role.slice(1) : "No role";
}

function isRole(role: string): role is Role {
  return role in GRANTS;
}
