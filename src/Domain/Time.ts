import { DateTime, Effect, Schema } from "effect"

// B §1.1: every datetime the reference writes is "UTC now truncated to whole seconds"
export const nowSeconds: Effect.Effect<DateTime.Utc> = Effect.map(DateTime.now, (now) =>
  DateTime.unsafeMake(Math.floor(DateTime.toEpochMillis(now) / 1000) * 1000)
)

// ISO-8601 in whole seconds with a `Z`, e.g. 2026-05-13T10:00:00Z (B §1.1, §1.5)
export const formatIsoSeconds = (dateTime: DateTime.DateTime): string =>
  DateTime.formatIso(dateTime).replace(/\.\d+Z$/, "Z")

// A check's moment as milliseconds since the epoch: one number per result instead of an object, until the edge
// formats it (the DateTime scalar) or the store writes it
export const EpochMillis = Schema.Number
export type EpochMillis = typeof EpochMillis.Type

// ISO-8601 with milliseconds, as DateTime.formatIso writes it
export const formatIsoMillis = (epochMillis: EpochMillis): string => new Date(epochMillis).toISOString()
