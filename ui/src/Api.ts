import { batch, signal } from "@preact/signals"
import { type Client, createClient, type FormattedExecutionResult } from "graphql-ws"
import {
  type Check,
  type ConnectionData,
  type LastChecks,
  lastOf,
  newer,
  ROW_FIELDS,
  type Row,
  toRow
} from "./Model.js"

// The page's one GraphQL client (graphql-ws on /graphql) and the state it keeps current.

const TOKEN_KEY = "syncwatch.token"
// the server closes a socket whose connection_init carries no valid token with 4403
const REFUSED = 4403
// the server closes a socket that does not take what it is sent (WS_MAX_BUFFERED_BYTES) with 1013; the page
// reconnects, and its snapshot brings back what it missed
const TOO_SLOW = 1013
// how often the page's statusRounds subscription asks for a round (checks are shared with everyone)
const ROUND_SECONDS = 30

export type Link = "connecting" | "live" | "reconnecting" | "needs-token" | "refused"
export type Role = "ADMIN" | "VIEWER"
export interface Notice {
  readonly kind: "error" | "info"
  readonly text: string
}

export const link = signal<Link>("connecting")
export const role = signal<Role | null>(null)
export const rows = signal<ReadonlyMap<string, Row>>(new Map())
export const loaded = signal(false)
// snapshots taken so far: one per (re)connection
export const snapshots = signal(0)
export const checking = signal<ReadonlySet<string>>(new Set())
export const notice = signal<Notice | null>(null)
export const hasToken = signal(sessionStorage.getItem(TOKEN_KEY) !== null)

type Result<T> = FormattedExecutionResult<T, Record<string, unknown>>

class OperationError extends Error {}

// "Forbidden: The viewer role may not…": the typed code as the API sent it, then its message
const describe = (errors: ReadonlyArray<{ readonly message: string; readonly extensions?: unknown }>) =>
  errors
    .map((error) => {
      const code = (error.extensions as { readonly code?: unknown } | undefined)?.code
      return typeof code === "string" ? `${code}: ${error.message}` : error.message
    })
    .join("; ")

let client: Client | undefined

// a query or a mutation over the socket: its one result, or its errors as an OperationError
const run = <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    if (client === undefined) return reject(new OperationError("not connected"))
    let result: Result<T> | undefined
    client.subscribe<T, Record<string, unknown>>(
      { query, variables },
      {
        next: (value) => {
          result = value
        },
        error: (error) =>
          reject(new OperationError(Array.isArray(error) ? describe(error) : "the connection to the server was lost")),
        complete: () => {
          if (result?.errors !== undefined && result.errors.length > 0)
            reject(new OperationError(describe(result.errors)))
          else if (result?.data == null) reject(new OperationError("no answer"))
          else resolve(result.data)
        }
      }
    )
  })

// a query over the page's socket, for a component that reads figures of its own (Uptime.tsx)
export const query = run

const upsert = (data: ConnectionData) => {
  const next = new Map(rows.peek())
  next.set(data.uuid, toRow(data, next.get(data.uuid)))
  rows.value = next
}

const update = (uuid: string, change: (row: Row) => Row) => {
  const row = rows.peek().get(uuid)
  if (row === undefined) return
  rows.value = new Map(rows.peek()).set(uuid, change(row))
}

// results of many connections in one update of the table (a round's are hundreds at once)
const applyChecks = (results: ReadonlyArray<readonly [string, Check]>) => {
  const next = new Map(rows.peek())
  let changed = false
  for (const [uuid, check] of results) {
    const row = next.get(uuid)
    if (row === undefined) continue
    const last = newer(
      { outcome: check.outcome, reason: check.reason, checkedAt: check.checkedAt, durationMs: check.durationMs },
      row.last
    )
    if (last === row.last) continue
    next.set(uuid, { ...row, last })
    changed = true
  }
  if (changed) rows.value = next
}

const SNAPSHOT = `{ viewer { role } connections { ${ROW_FIELDS} } }`

// after every (re)connection: what happened while the socket was down is in the snapshot
const load = async () => {
  try {
    const data = await run<{ viewer: { role: Role }; connections: ReadonlyArray<ConnectionData> }>(SNAPSHOT)
    const previous = rows.peek()
    batch(() => {
      role.value = data.viewer.role
      rows.value = new Map(data.connections.map((c) => [c.uuid, toRow(c, previous.get(c.uuid))]))
      loaded.value = true
      snapshots.value = snapshots.peek() + 1
    })
  } catch (error) {
    notice.value = { kind: "error", text: `Could not load the connections: ${(error as Error).message}` }
  }
}

const LAST = `query ($uuid: ID!) { connection(uuid: $uuid) {
  lastSenderStatus { status reason checkedAt durationMs } lastVerification { outcome reason checkedAt durationMs } } }`

const refresh = async (uuid: string) => {
  try {
    const { connection } = await run<{ connection: LastChecks | null }>(LAST, { uuid })
    const last = connection === null ? null : lastOf(connection)
    // the stored result of the check the change came from: its checkedAt is earlier than the change's `at`
    if (last !== null) {
      update(uuid, (row) => ({
        ...row,
        last: row.last !== null && row.last.outcome !== last.outcome ? newer(last, row.last) : last
      }))
    }
  } catch {
    // the next result or snapshot brings it
  }
}

type Sink<T> = (data: T) => void
// the subscriptions of the current socket: a server that shuts down completes them, so each new socket
// gets its own set
let following: Array<() => void> = []
const follow = <T>(query: string, variables: Record<string, unknown>, sink: Sink<T>) => {
  if (client === undefined) return
  following.push(
    client.subscribe<T, Record<string, unknown>>(
      { query, variables },
      { next: (result) => result.data != null && sink(result.data), error: () => {}, complete: () => {} }
    )
  )
}

interface StatusChanged {
  readonly statusChanged: { connectionUuid: string; at: string; from: string | null; to: string; reason: string | null }
}
interface ConnectionChanged {
  readonly connectionChanged: {
    kind: "CREATED" | "UPDATED" | "DELETED"
    connectionUuid: string
    connection: ConnectionData | null
  }
}
interface CheckResult {
  readonly connectionUuid: string
  readonly reason: string | null
  readonly checkedAt: string
  readonly durationMs: number
}
interface StatusRounds {
  readonly statusRounds: {
    readonly senderStatuses: ReadonlyArray<CheckResult & { readonly status: string }>
    readonly verifications: ReadonlyArray<CheckResult & { readonly outcome: string }>
    readonly severed: ReadonlyArray<{ readonly connection: ConnectionData }>
  }
}

const subscribeAll = () => {
  for (const stop of following) stop()
  following = []
  follow<StatusChanged>(
    "subscription { statusChanged { connectionUuid at from to reason } }",
    {},
    ({ statusChanged: change }) =>
      update(change.connectionUuid, (row) => {
        // a sender's SUSPENDED is a sever (its own status, which connectionChanged brings); any other change
        // is the check's new outcome, shown at once, then completed (its duration) from the stored result
        const sever = row.direction === "SENDER" && change.to === "SUSPENDED"
        const known =
          sever ||
          (row.last !== null &&
            (row.last.outcome === change.to || Date.parse(row.last.checkedAt) > Date.parse(change.at)))
        if (!known) void refresh(change.connectionUuid)
        return {
          ...row,
          history: [{ at: change.at, from: change.from, to: change.to, reason: change.reason }, ...row.history],
          last: known ? row.last : { outcome: change.to, reason: change.reason, checkedAt: change.at, durationMs: null }
        }
      })
  )
  follow<ConnectionChanged>(
    `subscription { connectionChanged { kind connectionUuid connection { ${ROW_FIELDS} } } }`,
    {},
    ({ connectionChanged: change }) => {
      if (change.connection !== null) return upsert(change.connection)
      const next = new Map(rows.peek())
      next.delete(change.connectionUuid)
      rows.value = next
    }
  )
  // one message a round: every result of the round at once, one update of the table
  follow<StatusRounds>(
    `subscription ($every: Int) { statusRounds(everySeconds: $every) {
      senderStatuses { connectionUuid status reason checkedAt durationMs }
      verifications { connectionUuid outcome reason checkedAt durationMs }
      severed { connection { ${ROW_FIELDS} } } } }`,
    { every: ROUND_SECONDS },
    ({ statusRounds: round }) =>
      batch(() => {
        applyChecks([
          ...round.senderStatuses.map((r) => [r.connectionUuid, { ...r, outcome: r.status }] as const),
          ...round.verifications.map((r) => [r.connectionUuid, r] as const)
        ])
        for (const { connection } of round.severed) upsert(connection)
      })
  )
}

const codeOf = (event: unknown) =>
  typeof event === "object" && event !== null ? (event as { code?: unknown }).code : undefined
const isRefusal = (event: unknown) => codeOf(event) === REFUSED

export const connect = () => {
  client?.dispose()
  batch(() => {
    link.value = "connecting"
    role.value = null
  })
  const token = sessionStorage.getItem(TOKEN_KEY)
  client = createClient({
    url: `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`,
    lazy: false,
    keepAlive: 10_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    // quick at first, then at most every 5 s
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** retries, 5000))),
    shouldRetry: (event) => !isRefusal(event),
    onNonLazyError: () => {},
    connectionParams: token === null ? {} : { authorization: `Bearer ${token}` },
    on: {
      connected: () => {
        link.value = "live"
        subscribeAll()
        void load()
      },
      closed: (event) => {
        if (isRefusal(event)) link.value = token === null ? "needs-token" : "refused"
        else if (link.peek() !== "connecting") link.value = "reconnecting"
        if (codeOf(event) === TOO_SLOW) {
          notice.value = {
            kind: "error",
            text: "The server closed this page's connection: the page fell behind what it was sent (1013). Reconnecting, then reloading the table."
          }
        }
      }
    }
  })
}

export const signIn = (token: string) => {
  sessionStorage.setItem(TOKEN_KEY, token)
  hasToken.value = true
  connect()
}

export const signOut = () => {
  sessionStorage.removeItem(TOKEN_KEY)
  hasToken.value = false
  connect()
}

const CHECK_RECEIVERS = `query ($uuids: [ID!]) { senderStatuses(uuids: $uuids) {
  connectionUuid status reason checkedAt durationMs } }`
const VERIFY_SENDERS = `mutation ($uuids: [ID!]) { verifyReceiverConnections(uuids: $uuids) {
  connectionUuid outcome reason checkedAt durationMs } }`

interface Checked {
  readonly senderStatuses?: ReadonlyArray<{
    connectionUuid: string
    status: string
    reason: string | null
    checkedAt: string
    durationMs: number
  }>
  readonly verifyReceiverConnections?: ReadonlyArray<{
    connectionUuid: string
    outcome: string
    reason: string | null
    checkedAt: string
    durationMs: number
  }>
}

const applyChecked = (data: Checked) => {
  applyChecks([
    ...(data.senderStatuses ?? []).map((r) => [r.connectionUuid, { ...r, outcome: r.status }] as const),
    ...(data.verifyReceiverConnections ?? []).map((r) => [r.connectionUuid, r] as const)
  ])
  return (data.senderStatuses?.length ?? 0) + (data.verifyReceiverConnections?.length ?? 0)
}

const marking = async <A>(uuids: ReadonlyArray<string>, work: () => Promise<A>): Promise<A> => {
  checking.value = new Set([...checking.peek(), ...uuids])
  try {
    return await work()
  } finally {
    const left = new Set(checking.peek())
    for (const uuid of uuids) left.delete(uuid)
    checking.value = left
  }
}

const report = async (work: () => Promise<string>) => {
  try {
    notice.value = { kind: "info", text: await work() }
  } catch (error) {
    notice.value = { kind: "error", text: (error as Error).message }
  }
}

// receivers and senders are checked side by side; each side's results land as soon as it answers
export const checkAll = () =>
  report(() =>
    marking([...rows.peek().keys()], async () => {
      const counted = await Promise.all([
        run<Checked>(CHECK_RECEIVERS, {}).then(applyChecked),
        run<Checked>(VERIFY_SENDERS, {}).then(applyChecked)
      ])
      return `Checked ${counted[0] + counted[1]} connections`
    })
  )

export const checkOne = (row: Row) =>
  report(() =>
    marking([row.uuid], async () => {
      const count = applyChecked(
        await run<Checked>(row.direction === "RECEIVER" ? CHECK_RECEIVERS : VERIFY_SENDERS, { uuids: [row.uuid] })
      )
      return count === 0
        ? `${row.name} was not checked: only active senders the remote confirmed are verified`
        : `Checked ${row.name}`
    })
  )

const SET_STATUS = `mutation ($uuid: ID!, $status: ConnectionStatus!, $reason: String) {
  updateConnectionStatus(uuid: $uuid, status: $status, reason: $reason) {
    connection { ${ROW_FIELDS} } remoteNotice { outcome reason } } }`

export const setStatus = (row: Row, status: "ACTIVE" | "SUSPENDED") =>
  report(async () => {
    const data = await run<{
      updateConnectionStatus: { connection: ConnectionData; remoteNotice: { outcome: string; reason: string | null } }
    }>(SET_STATUS, { uuid: row.uuid, status, reason: status === "SUSPENDED" ? "suspended from the status page" : null })
    upsert(data.updateConnectionStatus.connection)
    const told = data.updateConnectionStatus.remoteNotice
    return `${row.name} is now ${status} (the remote site: ${told.outcome}${told.reason === null ? "" : `, ${told.reason}`})`
  })
