import { Schema } from "effect"

// what a caller of /graphql may do: everything (ADMIN_TOKEN, or no token configured), or read only (VIEWER_TOKEN)
export const Role = Schema.Literal("admin", "viewer")
export type Role = typeof Role.Type
