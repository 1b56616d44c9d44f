import type { CheckOutcome, CountsQuery, Direction, RowFieldsFragment } from "./generated/graphql.js"

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

export interface Change {
  readonly at: string
  readonly from: string | null
  readonly to: string
  readonly reason: string | null
}

// the connection's own fields as the API returns them, its last check (either kind) and its changes
export interface Row
  extends Pick<ConnectionData, "uuid" | "name" | "direction" | "siteUrl" | "status" | "suspendedReason"> {
  readonly last: Check | null
  // newest first, as statusHistory lists them; read once the row is on screen (empty until then)
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

export const toRow = ({ lastSenderStatus, lastVerification, ...connection }: ConnectionData, previous?: Row): Row => ({
  ...connection,
  last: newer(lastOf({ lastSenderStatus, lastVerification }), previous?.last ?? null),
  history: previous?.history ?? []
})

// a result that arrived on the stream while a snapshot was on its way is not overwritten by the snapshot
// (the same check seen twice: the first, which may be the one that knows its duration)
export const newer = (a: Check | null, b: Check | null): Check | null =>
  a === null ? b : b === null ? a : Date.parse(b.checkedAt) > Date.parse(a.checkedAt) ? b : a

export const NOT_CHECKED: CheckOutcome = "NOT_CHECKED"
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

// what the table shows: the API filters the registry (ConnectionFilter); a row that arrives on a feed is
// placed by the same rules
export interface Filters {
  readonly direction: "" | Direction
  readonly outcome: "" | CheckOutcome
  // a part of the name or of the site URL
  readonly name: string
}

export const matches = (row: Row, filters: Filters): boolean => {
  const part = filters.name.trim().toLowerCase()
  return (
    (filters.direction === "" || row.direction === filters.direction) &&
    (filters.outcome === "" || outcomeOf(row) === filters.outcome) &&
    (part === "" || row.name.toLowerCase().includes(part) || row.siteUrl.toLowerCase().includes(part))
  )
}

// the table's order, the API's: by name, then uuid
export const before = (a: Pick<Row, "name" | "uuid">, b: Pick<Row, "name" | "uuid">): boolean =>
  a.name < b.name || (a.name === b.name && a.uuid < b.uuid)

// where a row goes among rows in the table's order
export const placeOf = (order: ReadonlyArray<Pick<Row, "name" | "uuid">>, row: Pick<Row, "name" | "uuid">): number => {
  let low = 0
  let high = order.length
  while (low < high) {
    const middle = (low + high) >> 1
    if (before(order[middle]!, row)) low = middle + 1
    else high = middle
  }
  return low
}

// the registry's counts (Query.connectionCounts) per outcome, the unchecked too
export const outcomeCounts = (
  groups: ReadonlyArray<Pick<CountsQuery["connectionCounts"][number], "outcome" | "count">>
): ReadonlyArray<readonly [CheckOutcome, number]> => {
  const byOutcome = new Map<CheckOutcome, number>()
  for (const group of groups) byOutcome.set(group.outcome, (byOutcome.get(group.outcome) ?? 0) + group.count)
  return [...byOutcome].sort(([a], [b]) => a.localeCompare(b))
}
