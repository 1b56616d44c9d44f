import { createHash, randomBytes } from "node:crypto"
import { request } from "node:http"
import { SqlClient } from "@effect/sql"
import { expect } from "@effect/vitest"
import { Effect } from "effect"
import { graphql, type RunningSite, startSite } from "../utils/App.js"
import { peekAt } from "../utils/Db.js"

// What another site sees of the sync API: real HTTP on 127.0.0.1, the store read back from the same SQLite file.

export const S = "https://partner.example.com"
export const UNKNOWN_HASH = "c".repeat(64)

export const POSTS = [
  "verify-connection",
  "update-status",
  "delete-connection",
  "get-connection-status",
  "register-connection"
]
// in the order the reference's validator reports them
export const REQUIRED: Record<string, Array<string>> = {
  "verify-connection": ["sender_url", "auth_token_hash"],
  "update-status": ["sender_url", "auth_token_hash", "status"],
  "delete-connection": ["sender_url", "auth_token_hash"],
  "get-connection-status": ["receiver_url", "auth_token_hash"],
  "register-connection": ["sender_url", "connection_name", "auth_token"]
}

export const missing = (...fields: Array<string>) => ({ success: false, error: "Missing required fields", fields })
export const notStrings = (...fields: Array<string>) => ({ success: false, error: "Fields must be strings", fields })
export const NOT_FOUND = { success: false, error: "Connection not found" }

export const sha256hex = (token: string) => createHash("sha256").update(token, "utf8").digest("hex")

export const apiUrl = (site: RunningSite, endpoint: string, prefix = "/phoenix_kit") =>
  `http://127.0.0.1:${site.port}${prefix}/sync/api/${endpoint}`

export interface Reply {
  readonly status: number
  readonly contentType: string | null
  // the parsed JSON, or the raw text when the body is not JSON
  readonly body: unknown
}

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

const toReply = async (response: Response): Promise<Reply> => ({
  status: response.status,
  contentType: response.headers.get("content-type"),
  body: parse(await response.text())
})

export const expectReply = (reply: Reply, status: number, body: unknown) => {
  expect({ status: reply.status, body: reply.body }).toEqual({ status, body })
  expect(reply.contentType).toMatch(/^application\/json/)
}

export interface Options {
  readonly headers?: Record<string, string>
  readonly prefix?: string
}

// as PhoenixKitSync's client sends them (B §3.0)
const CLIENT_HEADERS = {
  "content-type": "application/json",
  accept: "application/json",
  "user-agent": "PhoenixKit-Sync/1.0"
}

// undici needs `duplex` for a streamed body; the DOM typings do not know it
type StreamingInit = RequestInit & { readonly duplex: "half" }

// a POST with exactly this body: text, or a stream (sent chunked, without content-length)
export const postBody = (
  site: RunningSite,
  endpoint: string,
  body: string | ReadableStream<Uint8Array>,
  options: Options = {}
) =>
  Effect.promise(async () => {
    const init: StreamingInit = {
      method: "POST",
      headers: { ...CLIENT_HEADERS, ...options.headers },
      body,
      duplex: "half"
    }
    return toReply(await fetch(apiUrl(site, endpoint, options.prefix), init))
  })

export const post = (site: RunningSite, endpoint: string, body: unknown, options: Options = {}) =>
  postBody(site, endpoint, JSON.stringify(body), options)

export const getStatus = (site: RunningSite, options: Options = {}) =>
  Effect.promise(async () =>
    toReply(await fetch(apiUrl(site, "status", options.prefix), { headers: { ...CLIENT_HEADERS, ...options.headers } }))
  )

// fetch folds repeated headers into one line; node:http sends one line per array element
export const postWithHeaderLines = (
  site: RunningSite,
  endpoint: string,
  body: unknown,
  headers: Record<string, string | Array<string>>
) =>
  Effect.async<Reply>((resume) => {
    const req = request(
      apiUrl(site, endpoint),
      { method: "POST", headers: { "content-type": "application/json", ...headers } },
      (res) => {
        const chunks: Array<Buffer> = []
        res.on("data", (chunk: Buffer) => chunks.push(chunk))
        res.on("end", () =>
          resume(
            Effect.succeed({
              status: res.statusCode ?? 0,
              contentType: res.headers["content-type"] ?? null,
              body: parse(Buffer.concat(chunks).toString("utf8"))
            })
          )
        )
      }
    )
    req.on("error", (error) => resume(Effect.die(error)))
    req.end(JSON.stringify(body))
    return Effect.sync(() => req.destroy())
  })

// ---- the store ----

export interface StoredRow {
  readonly uuid: string
  readonly name: string
  readonly direction: string
  readonly site_url: string
  readonly auth_token_hash: string | null
  readonly status: string
  readonly metadata: Record<string, unknown>
  readonly approved_at: string | null
  readonly suspended_at: string | null
  readonly suspended_reason: string | null
  readonly revoked_at: string | null
  readonly inserted_at: string
  readonly updated_at: string
}

export const storedRows = (site: RunningSite): Effect.Effect<ReadonlyArray<StoredRow>> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<Record<string, unknown>>`SELECT * FROM connections ORDER BY uuid`
    return rows.map((row) => ({ ...row, metadata: JSON.parse(String(row["metadata"])) }) as StoredRow)
  }).pipe(Effect.provide(peekAt(site.databaseUrl)), Effect.orDie)

export const storedRow = (site: RunningSite, uuid: string): Effect.Effect<StoredRow | undefined> =>
  Effect.map(storedRows(site), (rows) => rows.find((row) => row.uuid === uuid))

export const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/

// ---- seeding through the GraphQL API, as an admin would ----

export interface Seeded {
  readonly uuid: string
  readonly name: string
  readonly siteUrl: string
  readonly token: string
  readonly hash: string
}

export interface SeedInput {
  readonly direction: "sender" | "receiver"
  readonly siteUrl: string
  readonly status?: "pending" | "active" | "suspended" | "revoked" | "expired"
  readonly name?: string
}

const CREATE = `mutation ($input: CreateConnectionInput!) {
  createConnection(input: $input) { connection { uuid } authToken }
}`

export const seed = (site: RunningSite, input: SeedInput): Effect.Effect<Seeded> =>
  Effect.gen(function* () {
    const token = randomBytes(32).toString("base64url")
    const name = input.name ?? `Seeded ${input.siteUrl}`
    const result = yield* graphql(site.graphqlUrl, CREATE, {
      input: {
        name,
        direction: input.direction.toUpperCase(),
        siteUrl: input.siteUrl,
        authToken: token,
        ...(input.status === undefined ? {} : { status: input.status.toUpperCase() })
      }
    })
    const created = result.data?.["createConnection"] as
      | { readonly connection: { readonly uuid: string }; readonly authToken: string }
      | undefined
    if (created === undefined) return yield* Effect.dieMessage(`seeding failed: ${JSON.stringify(result.errors)}`)
    expect(created.authToken).toBe(token)
    return { uuid: created.connection.uuid, name, siteUrl: input.siteUrl, token, hash: sha256hex(token) }
  })

// an auto_accept site holding a pending sender and an active receiver, both at S
export const withRows = (config: Record<string, string> = {}) =>
  Effect.gen(function* () {
    const site = yield* startSite({ INCOMING_MODE: "auto_accept", ...config })
    const sender = yield* seed(site, { direction: "sender", siteUrl: S, status: "pending" })
    const receiver = yield* seed(site, { direction: "receiver", siteUrl: S, status: "active" })
    return { site, sender, receiver, rows: yield* storedRows(site) }
  })
