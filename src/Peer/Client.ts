import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Config, Effect, Option, Redacted, Schema } from "effect"
import Package from "../../package.json" with { type: "json" }
import { type Connection, ConnectionStatus } from "../Domain/Connection.js"
import { NotFound, Offline, RemoteError } from "../Domain/Errors.js"
import * as UrlPrefix from "../Domain/UrlPrefix.js"
import { SiteConfig } from "../SiteConfig.js"
import * as Registration from "./Registration.js"
import * as Wire from "./Wire.js"

const USER_AGENT = `syncwatch/${Package.version}`

const StatusAnswer = Schema.parseJson(
  Schema.Union(
    Schema.Struct({ success: Schema.Literal(true), status: Schema.String, name: Schema.optional(Schema.Unknown) }),
    Schema.Struct({ success: Schema.Literal(false) })
  )
)
const ProtocolNotFound = Schema.parseJson(Schema.Struct({ success: Schema.Literal(false) }))
const RemoteStatus = Schema.parseJson(
  Schema.Struct({ enabled: Schema.Boolean, incoming_mode: Schema.String, password_required: Schema.Boolean })
)

const make = Effect.gen(function* () {
  const site = yield* SiteConfig
  const timeoutMs = yield* Config.integer("PEER_TIMEOUT_MS").pipe(
    Config.validate({ message: "PEER_TIMEOUT_MS must be an integer > 0", validation: (ms) => ms > 0 }),
    Config.withDefault(30_000)
  )
  const client = (yield* HttpClient.HttpClient).pipe(
    HttpClient.mapRequest(HttpClientRequest.setHeaders({ accept: "application/json", "user-agent": USER_AGENT })),
    // a peer is another organisation's site: our trace ids are none of its business
    HttpClient.withTracerPropagation(false),
    HttpClient.withTracerDisabledWhen(() => true),
    // leaving the call early (cap, deadline, interruption) aborts the request and closes the socket
    HttpClient.withScope
  )

  const exchange = (request: HttpClientRequest.HttpClientRequest): Effect.Effect<Wire.Reply, Offline | RemoteError> =>
    client.execute(request).pipe(
      Effect.flatMap((response) =>
        Effect.map(Wire.readBody(response), (body): Wire.Reply => ({ status: response.status, body }))
      ),
      Effect.mapError(Wire.classify),
      Effect.scoped,
      Effect.timeoutFail({
        duration: timeoutMs,
        onTimeout: () => new Offline({ reason: "timeout", detail: `no answer within ${timeoutMs} ms` })
      }),
      Effect.tapError((error) =>
        Effect.logDebug(`peer call failed: ${error.message}`).pipe(Effect.annotateLogs({ peer: request.url }))
      )
    )

  const endpointUrl = (siteUrl: string, endpoint: UrlPrefix.Endpoint): Effect.Effect<URL, RemoteError> =>
    Effect.try({
      try: () => {
        const url = new URL(UrlPrefix.endpointUrl(siteUrl, site.urlPrefix, endpoint))
        if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("not http(s)")
        return url
      },
      catch: () => new RemoteError({ reason: "invalid_url", detail: `not an http(s) URL: ${siteUrl}` })
    })

  const post = (siteUrl: string, endpoint: UrlPrefix.Endpoint, body: Record<string, string>) =>
    Effect.flatMap(endpointUrl(siteUrl, endpoint), (url) =>
      exchange(HttpClientRequest.post(url).pipe(HttpClientRequest.bodyUnsafeJson(body)))
    )

  // B §4.1: both are needed before anything goes on the wire
  const credentials = (connection: Connection) =>
    connection.authTokenHash === null || connection.siteUrl.trim() === ""
      ? Effect.fail(
          new RemoteError({ reason: "missing_connection_info", detail: "connection has no site URL or hash" })
        )
      : Effect.succeed({ siteUrl: connection.siteUrl, hash: Redacted.value(connection.authTokenHash) })

  const bounded = (reply: Wire.Reply): Effect.Effect<string, RemoteError> =>
    Option.match(reply.body, {
      onNone: () =>
        Effect.fail(new RemoteError({ reason: "too_large", detail: `body over ${Wire.MAX_BODY_BYTES} bytes` })),
      onSome: Effect.succeed
    })

  const httpError = (reply: Wire.Reply) => new RemoteError({ reason: `http_${reply.status}` })

  // A2/A3: only the protocol's own JSON 404 means "no such connection"; an HTML 404 is a wrong URL or prefix
  const notFound = (body: string): NotFound | RemoteError =>
    Schema.decodeUnknownOption(ProtocolNotFound)(body).pipe(
      Option.match({
        onSome: () => new NotFound({ reason: "not_found" }),
        onNone: () =>
          new RemoteError({
            reason: "no_route",
            detail: "sync endpoint not found (HTTP 404): check the site URL and the sync URL prefix"
          })
      })
    )

  const badBody = () => new RemoteError({ reason: "bad_body", detail: "the answer is not the protocol's JSON" })

  // the two checks run by the thousand: untraced (a span each costs more than the request)
  const getConnectionStatus = Effect.fnUntraced(function* (connection: Connection) {
    const { siteUrl, hash } = yield* credentials(connection)
    const reply = yield* post(siteUrl, "get-connection-status", { receiver_url: site.siteUrl, auth_token_hash: hash })
    const body = yield* bounded(reply)
    if (reply.status === 404) return yield* notFound(body)
    if (reply.status !== 200) return yield* httpError(reply)
    const answer = yield* Schema.decodeUnknown(StatusAnswer)(body).pipe(Effect.mapError(badBody))
    if (!answer.success) return yield* new NotFound({ reason: "not_found" })
    if (!Schema.is(ConnectionStatus)(answer.status)) {
      return yield* new RemoteError({
        reason: "unknown_status",
        detail: `remote reports unknown status ${JSON.stringify(answer.status.slice(0, 64))}`,
        remoteStatus: answer.status
      })
    }
    return { status: answer.status, name: typeof answer.name === "string" ? answer.name : null }
  })

  const verifyConnection = Effect.fnUntraced(function* (connection: Connection) {
    const { siteUrl, hash } = yield* credentials(connection)
    const reply = yield* post(siteUrl, "verify-connection", { sender_url: site.siteUrl, auth_token_hash: hash })
    const body = yield* bounded(reply)
    if (reply.status === 404) return yield* notFound(body)
    if (reply.status !== 200) return yield* httpError(reply)
  })

  const register = Effect.fn("PeerClient.register")(function* (
    connection: Connection,
    token: Redacted.Redacted<string>,
    password?: Redacted.Redacted<string>
  ) {
    if (connection.direction !== "sender") return null
    const body: Record<string, string> = {
      sender_url: site.siteUrl,
      connection_name: connection.name,
      auth_token: Redacted.value(token),
      ...(password === undefined ? {} : { password: Redacted.value(password) })
    }
    return yield* post(connection.siteUrl, "register-connection", body).pipe(
      Effect.tapError((error) => Effect.logWarning(`registration notice failed: ${error.message}`)),
      Effect.either,
      Effect.flatMap(Registration.interpret)
    )
  })

  // B §4.4: fire-and-forget notices; the status alone carries the answer
  const notice = <A extends string>(
    done: A,
    connection: Connection,
    endpoint: UrlPrefix.Endpoint,
    fields: Record<string, string> = {}
  ) =>
    Effect.gen(function* () {
      const { siteUrl, hash } = yield* credentials(connection)
      const reply = yield* post(siteUrl, endpoint, { sender_url: site.siteUrl, auth_token_hash: hash, ...fields })
      yield* bounded(reply)
      if (reply.status === 200 || reply.status === 204) return done
      if (reply.status === 404) return "not_found" as const
      return yield* httpError(reply)
    })

  const notifyStatusChange = Effect.fn("PeerClient.notifyStatusChange")(
    (connection: Connection, status: "active" | "suspended" | "revoked") =>
      notice("updated", connection, "update-status", { status })
  )

  const notifyDelete = Effect.fn("PeerClient.notifyDelete")((connection: Connection) =>
    notice("deleted", connection, "delete-connection")
  )

  // B §4.3, except that an unreachable site is Offline like everywhere else
  const checkRemoteStatus = Effect.fn("PeerClient.checkRemoteStatus")(function* (siteUrl: string) {
    const url = yield* endpointUrl(siteUrl, "status")
    const reply = yield* exchange(HttpClientRequest.get(url))
    const body = yield* bounded(reply)
    if (reply.status !== 200) return yield* httpError(reply)
    return yield* Schema.decodeUnknown(RemoteStatus)(body).pipe(Effect.mapError(badBody))
  })

  return {
    getConnectionStatus,
    verifyConnection,
    register,
    notifyStatusChange,
    notifyDelete,
    checkRemoteStatus
  } as const
})

export class PeerClient extends Effect.Service<PeerClient>()("syncwatch/PeerClient", {
  effect: make,
  dependencies: [SiteConfig.Default]
}) {}
