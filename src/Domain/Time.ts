import { DateTime, Effect } from "effect"

// B §1.1: every datetime the reference writes is "UTC now truncated to whole seconds"
export const nowSeconds: Effect.Effect<DateTime.Utc> = Effect.map(DateTime.now, (now) =>
  DateTime.unsafeMake(Math.floor(DateTime.toEpochMillis(now) / 1000) * 1000)
)

// ISO-8601 in whole seconds with a `Z`, e.g. 2026-05-13T10:00:00Z (B §1.1, §1.5)
export const formatIsoSeconds = (dateTime: DateTime.DateTime): string =>
  DateTime.formatIso(dateTime).replace(/\.\d+Z$/, "Z")
