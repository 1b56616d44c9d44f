import { createHash } from "node:crypto"
import { performance } from "node:perf_hooks"
import { Agent } from "undici"
import Package from "../package.json" with { type: "json" }

// The two ways of checking N receivers against the remote sender: syncwatch's senderStatuses over GraphQL,
// and a bare undici loop sending the same requests with the same concurrency.

export const PREFIX = "/phoenix_kit"
export const ENDPOINT = "/sync/api/get-connection-status"

export interface Receiver {
  readonly name: string
  readonly siteUrl: string
  readonly token: string
}

// (site_url, direction) is unique: each receiver gets its own path on the one remote
export const receiver = (remoteOrigin: string, i: number): Receiver => ({
  name: `bench receiver ${i}`,
  siteUrl: `${remoteOrigin}/r${i}`,
  token: `bench-token-${i}`
})

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex")

// one client for the bench's own GraphQL calls, apart from the bare loop's
const graphqlAgent = new Agent({ keepAliveTimeout: 120_000 })

interface GraphQLResult<A> {
  readonly data?: A | null
  readonly errors?: ReadonlyArray<{ readonly message: string; readonly extensions?: Record<string, unknown> }>
}

const post = async (url: string, query: string, variables: Record<string, unknown> = {}) => {
  const response = await graphqlAgent.request({
    origin: new URL(url).origin,
    path: new URL(url).pathname,
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query, variables }),
    headersTimeout: 600_000,
    bodyTimeout: 600_000
  })
  const text = await response.body.text()
  return { status: response.statusCode, text }
}

// variables, not inline literals: yoga caches each parsed document, and 40 distinct 250-field documents
// would sit in syncwatch's heap (~70 MB of AST, measured) and skew its RSS
export const createReceivers = async (graphqlUrl: string, receivers: ReadonlyArray<Receiver>, batch = 250) => {
  for (let start = 0; start < receivers.length; start += batch) {
    const slice = receivers.slice(start, start + batch)
    const names = slice.map((_, j) => `i${j}`)
    const query =
      `mutation(${names.map((name) => `$${name}: CreateConnectionInput!`).join(", ")}) {\n` +
      names.map((name) => `${name}: createConnection(input: $${name}) { connection { uuid } }`).join("\n") +
      "\n}"
    const variables = Object.fromEntries(
      slice.map((r, j) => [`i${j}`, { name: r.name, direction: "RECEIVER", siteUrl: r.siteUrl, authToken: r.token }])
    )
    const { status, text } = await post(graphqlUrl, query, variables)
    const result = JSON.parse(text) as GraphQLResult<Record<string, unknown>>
    if (status !== 200 || result.errors !== undefined || Object.keys(result.data ?? {}).length !== slice.length) {
      throw new Error(`createConnection batch at ${start} failed (HTTP ${status}): ${text.slice(0, 500)}`)
    }
  }
}

interface SenderStatus {
  readonly connectionUuid: string
  readonly status: string
  readonly durationMs: number
}

// one POST, the whole JSON body read, then every result must be ACTIVE: anything else invalidates the run
export const graphqlRun = async (graphqlUrl: string, expected: number) => {
  const started = performance.now()
  const { status, text } = await post(graphqlUrl, "query { senderStatuses { connectionUuid status durationMs } }")
  const ms = performance.now() - started
  const result = JSON.parse(text) as GraphQLResult<{ readonly senderStatuses: ReadonlyArray<SenderStatus> }>
  const statuses = result.data?.senderStatuses ?? []
  const wrong = statuses.filter((s) => s.status !== "ACTIVE")
  if (status !== 200 || result.errors !== undefined || statuses.length !== expected || wrong.length > 0) {
    const sample = JSON.stringify(result.errors ?? wrong.slice(0, 3)).slice(0, 500)
    throw new Error(
      `senderStatuses: HTTP ${status}, ${statuses.length}/${expected} results, ${wrong.length} not ACTIVE: ${sample}`
    )
  }
  if (new Set(statuses.map((s) => s.connectionUuid)).size !== expected)
    throw new Error("senderStatuses: duplicate uuids")
  return ms
}

export interface BareTarget {
  readonly origin: string
  readonly path: string
  readonly body: string
}

// exactly what syncwatch puts on the wire for each receiver (URL, headers, JSON body)
export const bareTargets = (receivers: ReadonlyArray<Receiver>, siteUrl: string): ReadonlyArray<BareTarget> =>
  receivers.map((r) => {
    const url = new URL(`${r.siteUrl}${PREFIX}${ENDPOINT}`)
    return {
      origin: url.origin,
      path: url.pathname,
      body: JSON.stringify({ receiver_url: siteUrl, auth_token_hash: sha256(r.token) })
    }
  })

const HEADERS = {
  accept: "application/json",
  "user-agent": `syncwatch/${Package.version}`,
  "content-type": "application/json"
}

// an undici Agent like syncwatch's (src/Peer/Transport.ts; its longer connect timeout never fires on loopback)
export const makeBareAgent = () => new Agent()

// each request carries the deadline syncwatch gives its checks (PEER_TIMEOUT_MS), as a bare client would: a timed
// AbortSignal, so both sides pay for one
export const bareRun = async (
  agent: Agent,
  targets: ReadonlyArray<BareTarget>,
  concurrency: number,
  timeoutMs: number
) => {
  let next = 0
  let wrong = 0
  const worker = async () => {
    while (next < targets.length) {
      const target = targets[next++]!
      const response = await agent.request({
        ...target,
        method: "POST",
        headers: HEADERS,
        signal: AbortSignal.timeout(timeoutMs)
      })
      const answer = JSON.parse(await response.body.text()) as { readonly success?: unknown; readonly status?: unknown }
      if (response.statusCode !== 200 || answer.success !== true || answer.status !== "active") wrong++
    }
  }
  const started = performance.now()
  await Promise.all(Array.from({ length: Math.min(concurrency, targets.length) }, worker))
  const ms = performance.now() - started
  if (wrong > 0) throw new Error(`bare loop: ${wrong}/${targets.length} answers not active`)
  return ms
}
