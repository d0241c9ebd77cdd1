// Names for the contract's shapes. Everything here comes from schema.d.ts, which is generated
// from the gateway's OpenAPI document (`npm run gen:api`): never write these by hand.
import type { components } from "./schema";

type Schemas = components["schemas"];

export type Customer = Schemas["Customer"];
export type CustomerCreate = Schemas["CustomerCreate"];
export type CustomerUpdate = Schemas["CustomerUpdate"];
export type CustomerPage = Schemas["CustomerPage"];
export type CustomerSummary = Schemas["CustomerSummary"];
export type Order = Schemas["Order"];
export type OrderItem = Schemas["OrderItem"];
export type OrderCreate = Schemas["OrderCreate"];
export type OrderPage = Schemas["OrderPage"];
export type OrderStatus = Schemas["OrderStatus"];
export type Dashboard = Schemas["Dashboard"];
export type ServiceHealth = Schemas["ServiceHealth"];
export type Problem = Schemas["Problem"];
export type FieldError = Schemas["FieldError"];
