import type { Direction, RowFieldsFragment } from "./generated/graphql.js"

// The page's view of a connection: what the API returns (types generated from schema.graphql and
// Operations.ts), flattened for the table.

export type { Direction } from "./generated/graphql.js"
export type ConnectionData = RowFieldsFragment

export interface Check {
  // a SenderStatus (receivers) or a VerificationOutcome (senders), as the API spells it
  readonly outcome: string
  readonly reason: string | null
  readonly checkedAt: string
  // null: not known yet (a change heard on statusChanged, before its stored result is read)
  readonly durationMs: number | null
}

export type Change = RowFieldsFragment["statusHistory"][number]

// the connection's own fields as the API returns them, its last check (either kind) and its changes
export interface Row
  extends Pick<ConnectionData, "uuid" | "name" | "direction" | "siteUrl" | "status" | "suspendedReason"> {
  readonly last: Check | null
  // newest first, as statusHistory lists them
  readonly history: ReadonlyArray<Change>
}

export type LastChecks = Pick<ConnectionData, "lastSenderStatus" | "lastVerification">

export const lastOf = ({ lastSenderStatus: sender, lastVerification: verification }: LastChecks): Check | null =>
  sender !== null
    ? { outcome: sender.status, reason: sender.reason, checkedAt: sender.checkedAt, durationMs: sender.durationMs }
    : verification !== null
      ? {
          outcome: verification.outcome,
          reason: verification.reason,
          checkedAt: verification.checkedAt,
          durationMs: verification.durationMs
        }
      : null

export const toRow = (
  { lastSenderStatus, lastVerification, statusHistory, ...connection }: ConnectionData,
  previous?: Row
): Row => ({
  ...connection,
  last: newer(lastOf({ lastSenderStatus, lastVerification }), previous?.last ?? null),
  history: statusHistory
})

// a result that arrived on the stream while a snapshot was on its way is not overwritten by the snapshot
// (the same check seen twice: the first, which may be the one that knows its duration)
export const newer = (a: Check | null, b: Check | null): Check | null =>
  a === null ? b : b === null ? a : Date.parse(b.checkedAt) > Date.parse(a.checkedAt) ? b : a

export const NOT_CHECKED = "NOT CHECKED"
export const outcomeOf = (row: Row): string => row.last?.outcome ?? NOT_CHECKED

// the colour family of an outcome or status; the text always says it too
export const tone = (outcome: string | null): "good" | "warn" | "bad" | "none" => {
  switch (outcome) {
    case "ACTIVE":
    case "EXISTS":
      return "good"
    case "PENDING":
    case "SUSPENDED":
    case "EXPIRED":
      return "warn"
    case "OFFLINE":
    case "NOT_FOUND":
    case "ERROR":
    case "REVOKED":
      return "bad"
    default:
      return "none"
  }
}

export const spell = (value: string) => value.replaceAll("_", " ")

export const ago = (at: string, now: number): string => {
  const seconds = Math.max(0, Math.round((now - Date.parse(at)) / 1000))
  if (seconds < 60) return `${seconds} s ago`
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`
  return `${Math.floor(seconds / 86_400)} d ago`
}

export interface Segment {
  readonly from: number
  readonly to: number
  readonly outcome: string | null
}

export const DAY = 24 * 3600 * 1000

// the last 24 h as spans of one outcome each; before the first known change the outcome is unknown (null)
export const segments = (history: ReadonlyArray<Change>, now: number): ReadonlyArray<Segment> => {
  const start = now - DAY
  const ordered = [...history].sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
  const before = ordered.filter((change) => Date.parse(change.at) <= start).at(-1)
  const spans: Array<Segment> = []
  let from = start
  let outcome = before?.to ?? null
  for (const change of ordered) {
    const at = Date.parse(change.at)
    if (at <= start) continue
    if (at > from) spans.push({ from, to: at, outcome })
    from = Math.max(from, at)
    outcome = change.to
  }
  spans.push({ from, to: Math.max(from, now), outcome })
  return spans
}

export interface Filters {
  readonly direction: "" | Direction
  readonly outcome: string
  readonly name: string
}

export const visible = (rows: ReadonlyArray<Row>, filters: Filters): ReadonlyArray<Row> => {
  const name = filters.name.trim().toLowerCase()
  return rows.filter(
    (row) =>
      (filters.direction === "" || row.direction === filters.direction) &&
      (filters.outcome === "" || outcomeOf(row) === filters.outcome) &&
      (name === "" || row.name.toLowerCase().includes(name))
  )
}

export const counts = (rows: ReadonlyArray<Row>): ReadonlyArray<readonly [string, number]> => {
  const byOutcome = new Map<string, number>()
  for (const row of rows) byOutcome.set(outcomeOf(row), (byOutcome.get(outcomeOf(row)) ?? 0) + 1)
  return [...byOutcome].sort(([a], [b]) => a.localeCompare(b))
}
