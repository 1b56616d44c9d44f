import { createHash, timingSafeEqual } from "node:crypto"
import { isIP } from "node:net"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Config, ConfigError, Effect, Either, Option, Redacted } from "effect"
import type { Role } from "../Domain/Role.js"
import * as Page from "../Page.js"
import * as Setting from "../Setting.js"
import * as Site from "../SiteConfig.js"

// Who may use the admin API (/graphql) from where. The sync API is for other sites and is not guarded here.

export interface Settings {
  readonly adminToken: Option.Option<Redacted.Redacted<string>>
  // read-only access (queries and subscriptions); only with ADMIN_TOKEN
  readonly viewerToken: Option.Option<Redacted.Redacted<string>>
  readonly corsOrigins: ReadonlySet<string>
  readonly allowedHosts: ReadonlySet<string>
  readonly bodyLimit: number
}

const list = (name: string, parse: (item: string) => string | undefined, expected: string) =>
  Config.string(name).pipe(
    Config.withDefault(""),
    Config.mapOrFail((value) => {
      const items = value
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item !== "")
      const parsed = items.map(parse)
      const bad = items.find((_, i) => parsed[i] === undefined)
      return bad === undefined
        ? Either.right(new Set(parsed as Array<string>))
        : Either.left(ConfigError.InvalidData([], `${name}: ${JSON.stringify(bad)} is not ${expected}`))
    })
  )

const toOrigin = (value: string): string | undefined => {
  try {
    const url = new URL(value)
    return (url.protocol === "http:" || url.protocol === "https:") && url.origin === value.replace(/\/$/, "")
      ? url.origin
      : undefined
  } catch {
    return undefined
  }
}

// a Host header or a configured host, without its port and brackets, lower-cased
export const hostname = (host: string): string | undefined => {
  try {
    const name = new URL(`http://${isIP(host) === 6 ? `[${host}]` : host}`).hostname.toLowerCase()
    return name.startsWith("[") ? name.slice(1, -1) : name
  } catch {
    return undefined
  }
}

export const isLoopback = (host: string): boolean => {
  const name = hostname(host) ?? host
  return name === "localhost" || name === "::1" || (isIP(name) === 4 && name.startsWith("127."))
}

const token = (name: string) =>
  Config.option(
    Config.redacted(name).pipe(
      Config.validate({
        message: `${name} must be at least 16 characters`,
        validation: (token) => Redacted.value(token).length >= 16
      })
    )
  )

export const settings = Effect.gen(function* () {
  const host = yield* Site.host
  const siteUrl = yield* Site.givenSiteUrl
  const adminToken = yield* token("ADMIN_TOKEN")
  const viewerToken = yield* token("VIEWER_TOKEN")
  if (Option.isSome(viewerToken) && Option.isNone(adminToken)) {
    return yield* Effect.fail(
      ConfigError.InvalidData([], "VIEWER_TOKEN needs ADMIN_TOKEN: without it every caller is already an admin")
    )
  }
  if (
    Option.isSome(viewerToken) &&
    Option.isSome(adminToken) &&
    Redacted.value(viewerToken.value) === Redacted.value(adminToken.value)
  ) {
    return yield* Effect.fail(ConfigError.InvalidData([], "VIEWER_TOKEN must differ from ADMIN_TOKEN"))
  }
  const allowUnauthenticated = yield* Config.boolean("ALLOW_UNAUTHENTICATED").pipe(Config.withDefault(false))
  if (Option.isNone(adminToken) && !allowUnauthenticated && !isLoopback(host)) {
    return yield* Effect.fail(
      ConfigError.InvalidData(
        [],
        `ADMIN_TOKEN is required when HOST (${host}) is not loopback: set ADMIN_TOKEN to a long random secret ` +
          "(clients send Authorization: Bearer <it>), or ALLOW_UNAUTHENTICATED=true to serve the admin API to anyone " +
          "who can reach it"
      )
    )
  }
  const corsOrigins = yield* list("CORS_ORIGINS", toOrigin, "an origin like https://admin.example.com")
  const extraHosts = yield* list("ALLOWED_HOSTS", hostname, "a host name")
  const bodyLimit = yield* Setting.integer("GRAPHQL_BODY_LIMIT", { min: 1, unit: "bytes" }).pipe(
    Config.withDefault(1024 * 1024)
  )
  const derived = [host, "localhost", "127.0.0.1", "::1", ...Option.toArray(Option.map(siteUrl, siteHost))]
  const allowedHosts = new Set([
    ...extraHosts,
    ...derived.flatMap((h) => Option.toArray(Option.fromNullable(hostname(h))))
  ])
  return { adminToken, viewerToken, corsOrigins, allowedHosts, bodyLimit } satisfies Settings
})

const siteHost = (url: string): string => {
  try {
    return new URL(url).host
  } catch {
    return url
  }
}

const digest = (value: string) => createHash("sha256").update(value).digest()

// constant time: both sides hashed to the same length first; the scheme is case-insensitive (RFC 9110)
const matches = (presented: string, token: Redacted.Redacted<string>) =>
  timingSafeEqual(digest(presented), digest(Redacted.value(token)))

// who the Authorization header says the caller is; undefined: nobody we know
export const role = (edge: Settings, authorization: unknown): Role | undefined => {
  if (Option.isNone(edge.adminToken)) return "admin"
  const presented = typeof authorization === "string" ? /^Bearer +(\S+) *$/i.exec(authorization)?.[1] : undefined
  if (presented === undefined) return undefined
  // both compared, so the time taken does not tell which token was close
  const admin = matches(presented, edge.adminToken.value)
  const viewer = Option.isSome(edge.viewerToken) && matches(presented, edge.viewerToken.value)
  return admin ? "admin" : viewer ? "viewer" : undefined
}

export const authorized = (edge: Settings, authorization: unknown): boolean => role(edge, authorization) !== undefined

export const refusal = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
  HttpServerResponse.unsafeJson(
    { errors: [{ message, extensions: { code } }] },
    { status, headers: { "cache-control": "no-store", ...headers } }
  )

// GraphQL over HTTP (§ "POST request"): a request body is application/json; application/graphql-response+json
// is the type of a response, asked for in Accept
const ACCEPTED_TYPES = new Set(["application/json"])

// host[:port], an IPv6 address in brackets: anything else (user info, a path) is no host name, and not a URL
// the platform can build (new Request refuses credentials in its URL)
const HOST = /^(?:\[[0-9a-fA-F:.]+\]|[^\s@/\\?#[\]:]+)(?::\d{1,5})?$/

const badHost = (request: HttpServerRequest.HttpServerRequest) =>
  HOST.test(request.headers["host"] ?? "")
    ? Option.none()
    : Option.some(refusal(400, "BadRequest", "the Host header must be a host name or address, with an optional port"))

// a refusal of a malformed request is worth a line: what it sent, clipped like any caller value (Logs.ts)
export const refused = (
  request: HttpServerRequest.HttpServerRequest,
  response: HttpServerResponse.HttpServerResponse
) =>
  response.status === 400
    ? Effect.as(
        Effect.logWarning("GraphQL: a request with a malformed Host header was refused").pipe(
          Effect.annotateLogs("host", request.headers["host"] ?? "")
        ),
        response
      )
    : Effect.succeed(response)

// DNS rebinding: a page on evil.example resolving to us still sends Host: evil.example
const misdirected = (edge: Settings, request: HttpServerRequest.HttpServerRequest) => {
  const host = hostname(request.headers["host"] ?? "")
  return host === undefined || !edge.allowedHosts.has(host)
    ? Option.some(refusal(421, "MisdirectedRequest", "this host name is not served here (ALLOWED_HOSTS)"))
    : Option.none()
}

const forbidden = () => Option.some(refusal(403, "ForbiddenOrigin", "cross-origin requests are refused (CORS_ORIGINS)"))

// a browser names the page's origin: ours (same host) or one of CORS_ORIGINS, or no access. Without an
// Origin (an <img>, a script tag) it still says the request is cross-site; following a link is allowed
const foreignOrigin = (edge: Settings, request: HttpServerRequest.HttpServerRequest) => {
  const origin = request.headers["origin"]
  if (origin === undefined) {
    const site = request.headers["sec-fetch-site"]
    const crossSite = site === "cross-site" || site === "same-site"
    return crossSite && request.headers["sec-fetch-mode"] !== "navigate" ? forbidden() : Option.none()
  }
  if (edge.corsOrigins.has(origin)) return Option.none()
  const own = Option.liftThrowable(() => new URL(origin).host)()
  return Option.isSome(own) && own.value === request.headers["host"] ? Option.none() : forbidden()
}

// yoga's own rule for serving GraphiQL: the page itself runs nothing, the user sets the header in it
const wantsGraphiQL = (request: HttpServerRequest.HttpServerRequest) =>
  request.method === "GET" && (request.headers["accept"] ?? "").includes("text/html")

const checks = (edge: Settings, request: HttpServerRequest.HttpServerRequest) => {
  if (request.method === "OPTIONS") return Option.none()
  if (request.method === "POST") {
    const type = (request.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase()
    // a form or a no-preflight fetch can only send the "simple" types: they never reach yoga
    if (!ACCEPTED_TYPES.has(type)) {
      return Option.some(
        refusal(
          415,
          "UnsupportedMediaType",
          "POST /graphql takes a body of content-type application/json (application/graphql-response+json is a " +
            "response type: send it in Accept)"
        )
      )
    }
  }
  if (!wantsGraphiQL(request) && !authorized(edge, request.headers["authorization"])) {
    return Option.some(
      refusal(401, "Unauthenticated", "send Authorization: Bearer <ADMIN_TOKEN> (or VIEWER_TOKEN)", {
        "www-authenticate": 'Bearer realm="syncwatch"'
      })
    )
  }
  // past the limit the body is still read (and dropped) so the client reads the 413 rather than a reset;
  // past DRAIN_FACTOR times the limit it is not worth reading
  if (Number(request.headers["content-length"] ?? 0) > DRAIN_FACTOR * edge.bodyLimit) {
    return Option.some(tooLarge(edge))
  }
  return Option.none()
}

const DRAIN_FACTOR = 16

export const tooLarge = (edge: Settings) =>
  refusal(413, "BodyTooLarge", `the request body is over ${edge.bodyLimit} bytes (GRAPHQL_BODY_LIMIT)`)

// HTTP: every check; WebSocket upgrade: host and origin (the token comes with connection_init)
export const guardHttp = (edge: Settings, request: HttpServerRequest.HttpServerRequest) =>
  Option.orElse(badHost(request), () =>
    Option.orElse(misdirected(edge, request), () =>
      Option.orElse(foreignOrigin(edge, request), () => checks(edge, request))
    )
  )

export const guardUpgrade = (edge: Settings, request: HttpServerRequest.HttpServerRequest) =>
  Option.orElse(badHost(request), () => Option.orElse(misdirected(edge, request), () => foreignOrigin(edge, request)))

// yoga's CORS: only the origins listed, without credentials (the token is a header, not a cookie)
export const cors = (edge: Settings) => (request: Request) => {
  const origin = request.headers.get("origin")
  return origin !== null && edge.corsOrigins.has(origin)
    ? { origin: [origin], credentials: false, allowedHeaders: ["authorization", "content-type", "accept"] }
    : false
}

// The body read up to the limit: a chunked body declares no length. The request yoga gets follows `signal`
// (the request fiber's interruption) itself: a Request made from another only follows that one's signal
// weakly, so once the first was collected, the client's leaving no longer reached the operation.
export const boundedBody = async (
  edge: Settings,
  request: Request,
  signal: AbortSignal
): Promise<Request | undefined> => {
  if (request.body === null) return request
  const reader = request.body.getReader()
  const chunks: Array<Uint8Array> = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size <= edge.bodyLimit) chunks.push(value)
    if (size > DRAIN_FACTOR * edge.bodyLimit) {
      await reader.cancel()
      return undefined
    }
  }
  if (size > edge.bodyLimit) return undefined
  return new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body: Buffer.concat(chunks),
    signal
  })
}

// GraphiQL's page gets the status page's policy (Page.ts): it may not be framed (a framed GraphiQL filled
// from ?query= runs a mutation in one click) nor post a form. Its one inline script is allowed by its hash,
// its editor's workers come from blob: URLs and its styles are inline.
export const graphiqlHeaders = (html: string): Record<string, string> => {
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
    (match) => `'sha256-${createHash("sha256").update(match[1]!).digest("base64")}'`
  )
  return {
    ...Page.securityHeaders(
      Page.policy({
        "script-src": scripts.join(" "),
        "style-src": "'unsafe-inline'",
        "img-src": "data:",
        "font-src": "'self' data:",
        "worker-src": "blob:"
      })
    ),
    "cache-control": "no-store"
  }
}
