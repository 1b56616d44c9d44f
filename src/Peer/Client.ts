import { readFileSync } from "node:fs"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Effect, Exit, Layer, Option, Redacted, Schema } from "effect"
import type { Connection, RemoteSettableStatus } from "../Domain/Connection.js"
import { Offline, type PeerFailure, RemoteError } from "../Domain/Errors.js"
import * as UrlPrefix from "../Domain/UrlPrefix.js"
import * as Metrics from "../Metrics.js"
import { ROOT } from "../Root.js"
import type * as SingleFlight from "../SingleFlight.js"
import { SiteConfig } from "../SiteConfig.js"
import * as Deadlines from "./Deadlines.js"
import * as Registration from "./Registration.js"
import { peerTimeoutMs } from "./Timeout.js"
import * as Transport from "./Transport.js"
import * as Wire from "./Wire.js"

// the project's package.json (found from ROOT, under tsx as in the bundle), read once at start-up
const { version } = JSON.parse(readFileSync(new URL("package.json", ROOT), "utf8")) as {
  readonly version: string
}
const USER_AGENT = `syncwatch/${version}`
const HEADERS = { "content-type": "application/json", accept: "application/json", "user-agent": USER_AGENT }

const RemoteStatus = Schema.parseJson(
  Schema.Struct({ enabled: Schema.Boolean, incoming_mode: Schema.String, password_required: Schema.Boolean })
)

type HotEndpoint = "get-connection-status" | "verify-connection"

const make = Effect.gen(function* () {
  const site = yield* SiteConfig
  const timeoutMs = yield* peerTimeoutMs
  const deadlines = yield* Deadlines.make(timeoutMs)
  const send = Transport.exchange(yield* NodeHttpClient.Dispatcher, deadlines, HEADERS, timeoutMs)
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
      Metrics.peerRequest,
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
    Option.match(reply.body, { onNone: () => Effect.fail(Wire.tooLarge()), onSome: Effect.succeed })

  // The two checks run by the thousand: where each connection's POST goes is worked out once and kept, one map
  // per endpoint keyed by uuid, checked against the site URL and hash it was built from (the same Redacted most
  // of the time: a hit is one lookup and two comparisons); its body is made at each check from the hash (a few
  // concatenations, where keeping it cost ~200 bytes a connection). Concurrent checks of one connection share
  // one request.
  interface Prepared extends Transport.Target {
    readonly siteUrl: string
    readonly token: Redacted.Redacted<string>
    readonly hash: string
  }
  const prepared: Record<HotEndpoint, Map<string, Prepared>> = {
    "get-connection-status": new Map(),
    "verify-connection": new Map()
  }
  // the body up to the hash: `{"receiver_url":"…","auth_token_hash":` (`sender_url` for a verification)
  const bodyStart: Record<HotEndpoint, string> = {
    "get-connection-status": `{"receiver_url":${JSON.stringify(site.siteUrl)},"auth_token_hash":`,
    "verify-connection": `{"sender_url":${JSON.stringify(site.siteUrl)},"auth_token_hash":`
  }
  const prepare = (connection: Connection, endpoint: HotEndpoint): Prepared | RemoteError => {
    const calls = prepared[endpoint]
    const known = calls.get(connection.uuid)
    const token = connection.authTokenHash
    if (
      known !== undefined &&
      known.siteUrl === connection.siteUrl &&
      token !== null &&
      (known.token === token || known.hash === Redacted.value(token))
    ) {
      return known
    }
    if (token === null || connection.siteUrl.trim() === "") {
      return new RemoteError({ reason: "missing_connection_info", detail: "connection has no site URL or hash" })
    }
    let url: URL
    try {
      url = new URL(UrlPrefix.endpointUrl(connection.siteUrl, site.urlPrefix, endpoint))
    } catch {
      url = new URL("invalid:")
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      return new RemoteError({ reason: "invalid_url", detail: `not an http(s) URL: ${connection.siteUrl}` })
    }
    const entry = {
      siteUrl: connection.siteUrl,
      token,
      hash: Redacted.value(token),
      origin: url.origin,
      path: `${url.pathname}${url.search}`
    }
    if (calls.size >= 100_000) calls.clear()
    calls.set(connection.uuid, entry)
    return entry
  }

  // a check as a callback task (SingleFlight.Task): its POST on the wire and the answer read from the reply.
  // No fiber, promise or Effect per check: StatusChecks builds the result in the callback and shares it.
  const task =
    <A>(
      connection: Connection,
      endpoint: HotEndpoint,
      answer: (reply: Wire.Reply) => Exit.Exit<A, PeerFailure>
    ): SingleFlight.Task<A, PeerFailure> =>
    (done) => {
      const target = prepare(connection, endpoint)
      if (target instanceof RemoteError) {
        done(Exit.fail(target))
        return () => {}
      }
      return send(target, `${bodyStart[endpoint]}${JSON.stringify(target.hash)}}`, (outcome) =>
        done(Exit.isSuccess(outcome) ? answer(outcome.value) : Exit.failCause(outcome.cause))
      )
    }

  const statusCall = (connection: Connection) => task(connection, "get-connection-status", Wire.statusAnswer)
  const verifyCall = (connection: Connection) => task(connection, "verify-connection", Wire.verifyAnswer)

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
      return yield* Wire.httpError(reply)
    })

  const notifyStatusChange = Effect.fn("PeerClient.notifyStatusChange")(
    (connection: Connection, status: RemoteSettableStatus) => notice("updated", connection, "update-status", { status })
  )

  const notifyDelete = Effect.fn("PeerClient.notifyDelete")((connection: Connection) =>
    notice("deleted", connection, "delete-connection")
  )

  // B §4.3, except that an unreachable site is Offline like everywhere else
  const checkRemoteStatus = Effect.fn("PeerClient.checkRemoteStatus")(function* (siteUrl: string) {
    const url = yield* endpointUrl(siteUrl, "status")
    const reply = yield* exchange(HttpClientRequest.get(url))
    const body = yield* bounded(reply)
    if (reply.status !== 200) return yield* Wire.httpError(reply)
    const status = yield* Schema.decodeUnknown(RemoteStatus)(body).pipe(Effect.mapError(Wire.badBody))
    const over = Wire.tooLong(status.incoming_mode, "incoming_mode", Wire.MAX_STATUS_CHARS)
    if (over !== undefined) return yield* over
    return status
  })

  return {
    statusCall,
    verifyCall,
    register,
    notifyStatusChange,
    notifyDelete,
    checkRemoteStatus
  } as const
})

export class PeerClient extends Effect.Service<PeerClient>()("syncwatch/PeerClient", {
  scoped: make,
  dependencies: [SiteConfig.Default]
}) {
  // a client whose two checks end as told (a failure, or a defect deep in a check) without a request; its
  // other methods die, named, if a test reaches them
  static readonly Test = (ending: Exit.Exit<never, PeerFailure>) => {
    const check = () => (done: (exit: Exit.Exit<never, PeerFailure>) => void) => {
      done(ending)
      return () => {}
    }
    const unused = (name: string) => () => Effect.dieMessage(`PeerClient.Test: ${name} is not in this test`)
    return Layer.succeed(
      PeerClient,
      new PeerClient({
        statusCall: check,
        verifyCall: check,
        register: unused("register"),
        notifyStatusChange: unused("notifyStatusChange"),
        notifyDelete: unused("notifyDelete"),
        checkRemoteStatus: unused("checkRemoteStatus")
      })
    )
  }
}
