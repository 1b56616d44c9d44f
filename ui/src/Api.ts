import { batch, computed, signal } from "@preact/signals"
import { type Client, createClient, type FormattedExecutionResult } from "graphql-ws"
import type { TypedDocumentString } from "./generated/graphql.js"
import {
  type Change,
  type Check,
  type ConnectionData,
  type Filters,
  lastOf,
  matches,
  newer,
  placeOf,
  type Row,
  toRow
} from "./Model.js"
import * as Op from "./Operations.js"

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
export type { Role } from "./generated/graphql.js"
export interface Notice {
  readonly kind: "error" | "info"
  readonly text: string
}

// the rows the table holds for its filter, in its order: read a page at a time as it is scrolled to
export interface Listing {
  readonly order: ReadonlyArray<string>
  // the rows the filter matches, read or not
  readonly total: number
  readonly end: string | null
  readonly more: boolean
}
export type Details = Op.DetailsQuery["connectionPage"]["edges"][number]["node"]
export type CountGroup = Op.CountsQuery["connectionCounts"][number]

// the first rows come in a small page, quick to show; the rest in the API's largest
const FIRST_PAGE = 100
const NEXT_PAGE = 500
// rows read ahead of the last one on screen
const AHEAD = 100
// the figures of the rows on screen are read again each minute
const DETAILS_EVERY_MS = 60_000

export const link = signal<Link>("connecting")
export const role = signal<Op.Role | null>(null)
// the rows read so far (the listing's), by uuid
export const rows = signal<ReadonlyMap<string, Row>>(new Map())
export const listing = signal<Listing>({ order: [], total: 0, end: null, more: false })
export const filters = signal<Filters>({ direction: "", outcome: "", name: "" })
export const counts = signal<ReadonlyArray<CountGroup>>([])
// every connection of the registry, whatever the filter
export const registered = computed(() => counts.value.reduce((sum, group) => sum + group.count, 0))
// the history and uptime figures of the rows that were on screen
export const details = signal<ReadonlyMap<string, Details>>(new Map())
export const loaded = signal(false)
// snapshots taken so far: one per (re)connection
export const snapshots = signal(0)
export const checking = signal<ReadonlySet<string>>(new Set())
export const notice = signal<Notice | null>(null)
export const hasToken = signal(sessionStorage.getItem(TOKEN_KEY) !== null)

type Result<T> = FormattedExecutionResult<T, Record<string, unknown>>

// one error the API sent: its typed code (extensions.code), the field it concerns when it names one
export interface ApiError {
  readonly message: string
  readonly code: string | undefined
  readonly field: string | undefined
}

export class OperationError extends Error {
  constructor(readonly errors: ReadonlyArray<ApiError>) {
    // "Forbidden: The viewer role may not…": the typed code as the API sent it, then its message
    super(
      errors.map((error) => (error.code === undefined ? error.message : `${error.code}: ${error.message}`)).join("; ")
    )
  }
}

const apiErrors = (errors: ReadonlyArray<{ readonly message: string; readonly extensions?: unknown }>) =>
  new OperationError(
    errors.map((error) => {
      const extensions = (error.extensions ?? {}) as { readonly code?: unknown; readonly field?: unknown }
      return {
        message: error.message,
        code: typeof extensions.code === "string" ? extensions.code : undefined,
        field: typeof extensions.field === "string" ? extensions.field : undefined
      }
    })
  )
const lost = (message: string) => new OperationError([{ message, code: undefined, field: undefined }])

let client: Client | undefined

// a query or a mutation over the socket: its one result, or its errors as an OperationError
const run = <T, V extends Record<string, unknown>>(document: TypedDocumentString<T, V>, variables: V): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    if (client === undefined) return reject(lost("not connected"))
    let result: Result<T> | undefined
    client.subscribe<T, V>(
      { query: document.toString(), variables },
      {
        next: (value) => {
          result = value
        },
        error: (error) =>
          reject(Array.isArray(error) ? apiErrors(error) : lost("the connection to the server was lost")),
        complete: () => {
          if (result?.errors !== undefined && result.errors.length > 0) reject(apiErrors(result.errors))
          else if (result?.data == null) reject(lost("no answer"))
          else resolve(result.data)
        }
      }
    )
  })

// a row from a feed or a mutation: kept in place, placed in the table's order when the filter matches it and
// it falls among the rows read (past them, the page that holds it brings it), or taken out when it no longer
// matches
const upsert = (data: ConnectionData) => {
  const known = rows.peek().get(data.uuid)
  const row = toRow(data, known)
  const list = listing.peek()
  batch(() => {
    if (!matches(row, filters.peek())) {
      if (known !== undefined) remove(data.uuid)
      return
    }
    const next = new Map(rows.peek()).set(data.uuid, row)
    if (known === undefined || known.name !== row.name) {
      const order = list.order.filter((uuid) => uuid !== data.uuid)
      const place = placeOf(
        order.map((uuid) => next.get(uuid)!),
        row
      )
      if (place < order.length || !list.more) order.splice(place, 0, data.uuid)
      else next.delete(data.uuid)
      listing.value = { ...list, order, total: list.total + (known === undefined ? 1 : 0) }
    }
    rows.value = next
  })
  countsLater()
}

const remove = (uuid: string) => {
  const next = new Map(rows.peek())
  if (!next.delete(uuid)) return
  const list = listing.peek()
  batch(() => {
    rows.value = next
    listing.value = { ...list, order: list.order.filter((known) => known !== uuid), total: list.total - 1 }
  })
  countsLater()
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

const filterOf = (given: Filters): Op.ConnectionFilter => ({
  direction: given.direction === "" ? null : given.direction,
  status: null,
  uuids: null,
  outcome: given.outcome === "" ? null : given.outcome,
  search: given.name.trim() === "" ? null : given.name.trim()
})

// each reading of the table's first page starts a generation: a page of an older one is dropped
let generation = 0
let reading = false
// the last row index the table showed
let wanted = 0

const loadCounts = async () => {
  const data = await run(Op.Counts, {})
  batch(() => {
    role.value = data.viewer.role
    counts.value = data.connectionCounts
  })
}

// the counts read again 1 s and 5 s after changes: a round's results reach the store written behind, at its
// end (a change heard on statusChanged comes just before)
const COUNTS_AFTER_MS = [1000, 5000]
const countsTimers = new Map<number, ReturnType<typeof setTimeout>>()
const countsLater = () => {
  for (const after of COUNTS_AFTER_MS) {
    if (countsTimers.has(after)) continue
    countsTimers.set(
      after,
      setTimeout(() => {
        countsTimers.delete(after)
        loadCounts().catch(() => {})
      }, after)
    )
  }
}

const firstPage = async () => {
  const mine = ++generation
  reading = true
  try {
    const { connectionPage: page } = await run(Op.Page, {
      first: FIRST_PAGE,
      after: null,
      filter: filterOf(filters.peek())
    })
    if (mine !== generation) return
    const previous = rows.peek()
    batch(() => {
      rows.value = new Map(page.edges.map(({ node }) => [node.uuid, toRow(node, previous.get(node.uuid))]))
      listing.value = {
        order: page.edges.map(({ node }) => node.uuid),
        total: page.totalCount,
        end: page.pageInfo.endCursor,
        more: page.pageInfo.hasNextPage
      }
    })
  } finally {
    if (mine === generation) reading = false
  }
  readAhead()
}

// the pages up to the rows on screen, one after another
const readAhead = () => {
  const list = listing.peek()
  if (reading || !list.more || wanted + AHEAD < list.order.length) return
  const mine = generation
  reading = true
  run(Op.Page, { first: NEXT_PAGE, after: list.end, filter: filterOf(filters.peek()) })
    .then(({ connectionPage: page }) => {
      if (mine !== generation) return
      const current = listing.peek()
      const next = new Map(rows.peek())
      const order = [...current.order]
      for (const { node } of page.edges) {
        if (!next.has(node.uuid)) order.push(node.uuid)
        next.set(node.uuid, toRow(node, next.get(node.uuid)))
      }
      batch(() => {
        rows.value = next
        listing.value = {
          order,
          total: page.totalCount,
          end: page.pageInfo.endCursor,
          more: page.pageInfo.hasNextPage
        }
      })
    })
    .catch((error: unknown) => {
      notice.value = { kind: "error", text: `Could not load the connections: ${(error as Error).message}` }
    })
    .finally(() => {
      if (mine !== generation) return
      reading = false
      readAhead()
    })
}

// the table shows rows up to `index`: the pages up to it are read
export const show = (index: number) => {
  wanted = index
  readAhead()
}

export const setFilters = (change: Partial<Filters>) => {
  filters.value = { ...filters.peek(), ...change }
  wanted = 0
  firstPage().catch((error: unknown) => {
    notice.value = { kind: "error", text: `Could not load the connections: ${(error as Error).message}` }
  })
}

// the history and figures of the rows on screen (Details), those not read yet, or all of them again
let onScreen: ReadonlyArray<string> = []
export const detailsOf = async (uuids: ReadonlyArray<string>, again = false) => {
  onScreen = uuids
  const wanting = again ? uuids : uuids.filter((uuid) => !details.peek().has(uuid))
  if (wanting.length === 0) return
  try {
    const data = await run(Op.Details, { first: wanting.length, uuids: wanting })
    const next = new Map(details.peek())
    const history = new Map<string, ReadonlyArray<Change>>()
    for (const { node } of data.connectionPage.edges) {
      next.set(node.uuid, node)
      history.set(node.uuid, node.statusHistory)
    }
    batch(() => {
      details.value = next
      applyHistories(history)
    })
  } catch {
    // the next minute, or the next scroll, brings them
  }
}
setInterval(() => void detailsOf(onScreen, true), DETAILS_EVERY_MS)

const applyHistories = (histories: ReadonlyMap<string, ReadonlyArray<Change>>) => {
  const next = new Map(rows.peek())
  for (const [uuid, history] of histories) {
    const row = next.get(uuid)
    if (row !== undefined) next.set(uuid, { ...row, history })
  }
  rows.value = next
}

// after every (re)connection: what happened while the socket was down is in the counts and the first page
const load = async () => {
  try {
    details.value = new Map()
    await Promise.all([loadCounts(), firstPage()])
    batch(() => {
      loaded.value = true
      snapshots.value = snapshots.peek() + 1
    })
    followRounds()
    void detailsOf(onScreen, true)
  } catch (error) {
    notice.value = { kind: "error", text: `Could not load the connections: ${(error as Error).message}` }
  }
}

const refresh = async (uuid: string) => {
  try {
    const { connection } = await run(Op.LastChecks, { uuid })
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

// the subscriptions of the current socket: a server that shuts down completes them, so each new socket
// gets its own set
let following: Array<() => void> = []
const follow = <T, V extends Record<string, unknown>>(
  document: TypedDocumentString<T, V>,
  variables: V,
  sink: (data: T) => void
) => {
  if (client === undefined) return
  following.push(
    client.subscribe<T, V>(
      { query: document.toString(), variables },
      { next: (result) => result.data != null && sink(result.data), error: () => {}, complete: () => {} }
    )
  )
}

const subscribeAll = () => {
  for (const stop of following) stop()
  following = []
  follow(Op.StatusChanged, {}, ({ statusChanged: change }) => {
    countsLater()
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
  })
  follow(Op.ConnectionChanged, {}, ({ connectionChanged: change }) => {
    if (change.connection !== null) return upsert(change.connection)
    remove(change.connectionUuid)
  })
}

// one message a round: every result of the round at once, one update of the table. Followed once the first
// rows are shown: its first message is the whole current round (100,000 results in a large registry), and
// what it brings is newer than the rows only by the results it holds
const followRounds = () =>
  follow(Op.StatusRounds, { every: ROUND_SECONDS }, ({ statusRounds: round }) =>
    batch(() => {
      applyChecks([
        ...round.senderStatuses.map((r) => [r.connectionUuid, { ...r, outcome: r.status }] as const),
        ...round.verifications.map((r) => [r.connectionUuid, r] as const)
      ])
      for (const { connection } of round.severed) upsert(connection)
      countsLater()
    })
  )

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

interface Checked {
  readonly senderStatuses?: Op.CheckReceiversQuery["senderStatuses"]
  readonly verifyReceiverConnections?: Op.VerifySendersMutation["verifyReceiverConnections"]
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
        run(Op.CheckReceivers, { uuids: null }).then(applyChecked),
        run(Op.VerifySenders, { uuids: null }).then(applyChecked)
      ])
      return `Checked ${counted[0] + counted[1]} connections`
    })
  )

const check = (row: Pick<Row, "uuid" | "direction">) =>
  marking([row.uuid], async () =>
    applyChecked(
      row.direction === "RECEIVER"
        ? await run(Op.CheckReceivers, { uuids: [row.uuid] })
        : await run(Op.VerifySenders, { uuids: [row.uuid] })
    )
  )

const checked = (row: Pick<Row, "name">, count: number) =>
  count === 0
    ? `${row.name} was not checked: only active senders the remote confirmed are verified`
    : `Checked ${row.name}`

export const checkOne = (row: Row) => report(async () => checked(row, await check(row)))

// an activation (or a resume) is checked at once: the row shows what the other side says now
export const setStatus = (row: Row, status: "ACTIVE" | "SUSPENDED") =>
  report(async () => {
    const { updateConnectionStatus: changed } = await run(Op.SetStatus, {
      uuid: row.uuid,
      status,
      reason: status === "SUSPENDED" ? "suspended from the status page" : null
    })
    upsert(changed.connection)
    const told = changed.remoteNotice
    const done = `${row.name} is now ${status} (the remote site: ${told.outcome}${told.reason === null ? "" : `, ${told.reason}`})`
    return status === "ACTIVE" ? `${done}. ${checked(row, await check(row))}` : done
  })

export const rename = async (row: Row, name: string) => {
  upsert((await run(Op.Rename, { uuid: row.uuid, name })).renameConnection)
  notice.value = { kind: "info", text: `${row.name} is now named ${name}` }
}

export const deleteConnection = (row: Row) =>
  report(async () => {
    const { deleteConnection: deleted } = await run(Op.Delete, { uuid: row.uuid })
    remove(row.uuid)
    const told = deleted.remoteNotice
    return `${row.name} was deleted (the remote site: ${told.outcome}${told.reason === null ? "" : `, ${told.reason}`})`
  })

export const remoteSite = (siteUrl: string) => run(Op.RemoteSite, { siteUrl }).then((data) => data.remoteSite)

export const create = async (input: Op.CreateConnectionInput) => {
  const { createConnection: created } = await run(Op.CreateConnection, { input })
  upsert(created.connection)
  return created
}

// a new connection is checked at once (a receiver asks its sender; a sender is verified once confirmed)
export const checkNew = (connection: Pick<Row, "uuid" | "direction">) => check(connection).catch(() => 0)
