import { Schema } from "effect"

export const RemoteNoticeOutcome = Schema.Literal("updated", "deleted", "not_found", "offline", "error", "skipped")
export type RemoteNoticeOutcome = typeof RemoteNoticeOutcome.Type

// What the other side was told about a local change; returned to the admin, never blocking the change.
export interface RemoteNotice {
  readonly connectionUuid: string
  readonly endpoint: "update-status" | "delete-connection"
  readonly outcome: RemoteNoticeOutcome
  readonly reason: string | null
}
