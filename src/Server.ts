import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { Socket } from "node:net"
import * as HttpLayerRouter from "@effect/platform/HttpLayerRouter"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpServer from "@effect/platform/HttpServer"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Config, ConfigError, Effect, Either, Layer, Logger, LogLevel } from "effect"
import { Alerts } from "./Alerts.js"
import { Connections } from "./Connections.js"
import { StoreKind } from "./Db/Target.js"
import { SqlLive } from "./Db.js"
import * as Yoga from "./graphql/Yoga.js"
import * as Health from "./Health.js"
import { History } from "./History.js"
import { LastKnown } from "./LastKnown.js"
import { LogFormatLive } from "./LogFormat.js"
import * as Logs from "./Logs.js"
import { Maintenances } from "./Maintenance.js"
import * as Prometheus from "./Metrics/Prometheus.js"
import { Owners } from "./Owners.js"
import * as Page from "./Page.js"
import { Pairing } from "./Pairing.js"
import { PeerClient } from "./Peer/Client.js"
import * as PeerRoutes from "./Peer/Routes.js"
import { SyncSettings } from "./Peer/Settings.js"
import { PeerHttpClientLive } from "./Peer/Transport.js"
import { Rollups } from "./Rollups.js"
import * as Limits from "./ServerLimits.js"
import { SharedRegistry } from "./SharedRegistry.js"
import * as Site from "./SiteConfig.js"
import { SiteConfig } from "./SiteConfig.js"
import { StatusChecks } from "./StatusChecks.js"
import * as Tracing from "./Tracing.js"
import { Watcher } from "./Watcher.js"

const Routes = Layer.mergeAll(
  Yoga.RouteLive,
  PeerRoutes.RouteLive,
  Health.RouteLive,
  Prometheus.RouteLive,
  Page.RouteLive
)

// the services a test may replace by the test layer offered next to their live one (LastKnown.Test,
// PeerClient.Test), or a wrapper of the live one; the server runs the live ones
type Like<L extends Layer.Layer.Any> = Layer.Layer<Layer.Layer.Success<L>, Layer.Layer.Error<L>, Layer.Layer.Context<L>>
export interface Swaps {
  readonly connections?: Like<typeof Connections.Default>
  readonly lastKnown?: Like<typeof LastKnown.Default>
  readonly peerClient?: Like<typeof PeerClient.Default>
}

// every service of the app over who performs the checks (Owners); needs SqlClient and HttpClient
// Alerts subscribes to the history before the watcher (and its monitor) can write any
const servicesWith = <E, RIn>(
  owners: Layer.Layer<Owners, E, RIn>,
  { connections = Connections.Default, lastKnown = LastKnown.Default, peerClient = PeerClient.Default }: Swaps
) =>
  Watcher.Default.pipe(
    Layer.provideMerge(owners),
    Layer.provideMerge(StatusChecks.Default),
    Layer.provideMerge(lastKnown),
    Layer.provideMerge(Alerts.Default),
    Layer.provideMerge(Rollups.Default),
    Layer.provideMerge(Maintenances.Default),
    Layer.provideMerge(Layer.mergeAll(Pairing.Default, History.Default)),
    Layer.provideMerge(Layer.mergeAll(connections, peerClient, SiteConfig.Default, SyncSettings.Default))
  )

// one instance: it performs every check
export const ServicesLive = servicesWith(Owners.Local, {})

// every service over the platform's layers given (the store, the peers' HTTP client): the tests and the bench
// build theirs from it, with a test store or a test transport, and test layers for the services swapped; the
// server below provides the live ones
export const Services = <ROut, E, RIn>(platform: Layer.Layer<ROut, E, RIn>, swaps: Swaps = {}) =>
  servicesWith(Owners.Local, swaps).pipe(Layer.provideMerge(platform))

// PostgreSQL: several instances share the registry, and each connection's checks are its owner's (the cluster).
// @effect/cluster is loaded only then: the SQLite default starts nothing of it and never imports it.
const SharedRegistryLive = Layer.unwrapEffect(
  Effect.map(StoreKind, (kind) => (kind === "pg" ? Layer.succeed(SharedRegistry, true) : Layer.empty))
)
type ClusterLayer = Awaited<typeof import("./Cluster.js")>["layer"]
const OwnersLive = Layer.unwrapEffect(
  Effect.flatMap(
    StoreKind,
    (kind): Effect.Effect<ClusterLayer | typeof Owners.Local> =>
      kind === "pg"
        ? Effect.map(
            Effect.promise(() => import("./Cluster.js")),
            (cluster) => cluster.layer
          )
        : Effect.succeed(Owners.Local)
  )
)

const Announce = Layer.effectDiscard(
  Effect.gen(function* () {
    const { address } = yield* HttpServer.HttpServer
    if (address._tag !== "TcpAddress") return
    const { siteUrl, urlPrefix } = yield* SiteConfig
    const origin = `http://${address.hostname}:${address.port}`
    yield* Effect.logInfo(`syncwatch status page at ${origin}/ and GraphQL at ${origin}/graphql (GraphiQL)`).pipe(
      Effect.annotateLogs({ siteUrl, syncApi: `${urlPrefix}/sync/api` })
    )
  })
)

// docs/configuration.md's LOG_LEVEL row lists exactly these (test/Startup.test.ts)
export const LOG_LEVELS: Record<string, LogLevel.LogLevel> = {
  all: LogLevel.All,
  trace: LogLevel.Trace,
  debug: LogLevel.Debug,
  info: LogLevel.Info,
  warn: LogLevel.Warning,
  warning: LogLevel.Warning,
  error: LogLevel.Error,
  fatal: LogLevel.Fatal,
  none: LogLevel.None
}

const LogLevelLive = Layer.unwrapEffect(
  Config.string("LOG_LEVEL").pipe(
    Config.withDefault("info"),
    Config.mapOrFail((value) => {
      const level = LOG_LEVELS[value.trim().toLowerCase()]
      return level === undefined
        ? Either.left(ConfigError.InvalidData([], `LOG_LEVEL must be one of ${Object.keys(LOG_LEVELS).join(", ")}`))
        : Either.right(level)
    }),
    Effect.map(Logger.minimumLogLevel)
  )
)

// Trace context is taken from the admin's API only: a caller of the open sync API (another organisation's
// site) or of /health must not choose the trace our spans join. Removed here, before the platform's server
// tracer (which wraps every middleware) reads the headers.
const TRACE_HEADERS = ["traceparent", "tracestate", "b3", "x-b3-traceid", "x-b3-spanid", "x-b3-sampled", "baggage"]
const ownTraces = (request: IncomingMessage) => {
  if (request.url?.startsWith("/graphql")) return
  for (const name of TRACE_HEADERS) delete request.headers[name]
}

const STARTING = JSON.stringify({ error: "syncwatch is starting; retry shortly" })

// server.close() closes idle keep-alive sockets but waits for one that never carried a request
// (undici opens a spare after an abort, browsers preconnect) until the client drops it.
// The platform listens when the server's layer is built, and attaches the app's handler once every service is
// up (migrations, PostgreSQL, the cluster: up to seconds). A request in between is answered 503 with
// Retry-After, as a load balancer's readiness probe expects, instead of waiting for an answer that never comes.
// With `probe` (Health.FastProbe): once the app is up, GET /health is answered by the probe's own handler in the
// server's `request` event, and the platform's handler is not called for it.
export const createClosableServer = (limits: Limits.ServerLimits, probe?: Health.FastProbe) => {
  const server = createServer({
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // Node checks both timeouts on this interval (30 s by default): a slow body is cut near its deadline
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(limits.requestTimeoutMs / 4)))
  })
  server.maxConnections = limits.maxConnections
  const unused = new Set<Socket>()
  // before the per-address cap, which wraps it: a capped client's probe is refused first
  if (probe !== undefined) {
    const emit = server.emit
    server.emit = function (this: typeof server, event: string | symbol, ...args: Array<unknown>) {
      const request = args[0] as IncomingMessage
      if (
        event === "request" &&
        probe.answer !== undefined &&
        request.method === "GET" &&
        request.url === "/health" &&
        server.listenerCount("request") > 1
      ) {
        unused.delete(request.socket)
        probe.answer(args[1] as ServerResponse)
        return true
      }
      return Reflect.apply(emit, this, [event, ...args])
    } as typeof server.emit
  }
  Limits.capPerAddress(server, limits)
  server.on("connection", (socket: Socket) => {
    unused.add(socket)
    socket.once("close", () => unused.delete(socket))
  })
  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    unused.delete(request.socket)
    ownTraces(request)
    if (server.listenerCount("request") === 1) {
      response
        .writeHead(503, { "content-type": "application/json", "retry-after": "1", connection: "close" })
        .end(STARTING)
    }
  })
  server.on("upgrade", (request: IncomingMessage) => unused.delete(request.socket))
  const close = server.close.bind(server)
  server.close = (callback) => {
    close(callback)
    for (const socket of unused) socket.destroy()
    return server
  }
  return server
}

const HttpServerLive = Layer.unwrapEffect(
  Effect.gen(function* () {
    const port = yield* Site.port
    const host = yield* Site.host
    const limits = yield* Limits.serverLimits
    const probe: Health.FastProbe = { answer: undefined }
    return NodeHttpServer.layer(() => createClosableServer(limits, probe), { port, host }).pipe(
      Layer.catchAll((error) => Layer.fail(Limits.listenFailure(error.cause, host, port))),
      Layer.merge(Layer.succeed(Health.FastProbeSlot, probe))
    )
  })
)

// the whole application over any HttpServer: tests provide NodeHttpServer.layerTest instead
// Without OTEL_EXPORTER_OTLP_ENDPOINT nobody reads a request's span: the platform's server tracer, which makes one
// for every request (a /health probe, a page's socket), is turned off
const Serve = Layer.unwrapEffect(
  Effect.map(Tracing.Enabled, (enabled) => {
    const serve = HttpLayerRouter.serve(Routes, { disableListenLog: true, disableLogger: true })
    return enabled ? serve : HttpMiddleware.withTracerDisabledWhen(serve, () => true)
  })
)

export const AppLive = Layer.merge(Serve, Announce.pipe(Layer.provide(SiteConfig.Default))).pipe(
  Layer.provide(servicesWith(OwnersLive, {}).pipe(Layer.provide(SharedRegistryLive))),
  Layer.provide(Prometheus.ExporterLive),
  // spans to OTEL_EXPORTER_OTLP_ENDPOINT over a client of their own (the peers' dials other sites only)
  Layer.provide(Tracing.layer.pipe(Layer.provide(NodeHttpClient.layerUndici))),
  Layer.provide([SqlLive, PeerHttpClientLive]),
  Layer.provide(LogLevelLive),
  Layer.provide(Logs.SafeLogsLive),
  Layer.provide(LogFormatLive)
)

// the admin edge's settings are checked before the port is taken (ADMIN_TOKEN on a public HOST)
const EdgeChecked = Layer.effectDiscard(Yoga.checkSettings)

export const ServerLive = AppLive.pipe(Layer.provide(HttpServerLive), Layer.provide(EdgeChecked))
