import type { IncomingMessage, ServerResponse } from "node:http"
import type { Duplex } from "node:stream"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import { Cause, Config, Deferred, Effect, Exit, type Runtime } from "effect"
import { type DocumentNode, type ExecutionResult, GraphQLError, getOperationAST } from "graphql"
import {
  CloseCode,
  GRAPHQL_TRANSPORT_WS_PROTOCOL,
  type Message,
  MessageType,
  parseMessage,
  type SubscribePayload,
  stringifyMessage
} from "graphql-ws"
import { isAsyncIterable, type YogaServerInstance } from "graphql-yoga"
import { type WebSocket, WebSocketServer } from "ws"
import { ShuttingDown } from "../Domain/Errors.js"
import * as Metrics from "../Metrics.js"
import * as Setting from "../Setting.js"
import type { Bridge } from "./Bridge.js"
import * as Fanout from "./Fanout.js"
import * as Outbox from "./Outbox.js"
import type { RoleContext } from "./Roles.js"

// WS_MAX_MESSAGE_BYTES: the largest graphql-ws message a client may send
export const maxMessageBytes = Setting.integer("WS_MAX_MESSAGE_BYTES", { min: 1, unit: "bytes" }).pipe(
  Config.withDefault(1024 * 1024)
)

export const settings = Effect.all({ maxMessageBytes, maxBufferedBytes: Outbox.maxBufferedBytes })
export type Settings = Effect.Effect.Success<typeof settings>

// graphql-ws's own default: a socket that has not sent connection_init by then is closed with 4408
const INIT_TIMEOUT_MILLIS = 3000
const SHUTDOWN_CLOSE_MILLIS = 1000

const shuttingDown = { message: new ShuttingDown().message, extensions: { code: "ShuttingDown" } }

type Envelope = ReturnType<YogaServerInstance<object, object>["getEnveloped"]>

// a syntax error is the operation's error, not the socket's. Known by name: yoga may throw it from another
// copy of graphql (CJS next to our ESM).
const parse = (envelope: Envelope, query: string): DocumentNode | ReadonlyArray<GraphQLError> => {
  try {
    return envelope.parse(query)
  } catch (error) {
    if (error instanceof Error && error.name === "GraphQLError") return [error as GraphQLError]
    throw error
  }
}

// ws refuses these by destroying the socket without calling back, and an upgrade awaiting that callback
// never ends (nor does the server's shutdown, which waits on it): they are answered here, over HTTP.
const KEY = /^[+/0-9A-Za-z]{22}==$/
export const refusal = (request: HttpServerRequest.HttpServerRequest) => {
  if (request.method !== "GET")
    return HttpServerResponse.text("a WebSocket upgrade is a GET", { status: 405, headers: { allow: "GET" } })
  if (!KEY.test(request.headers["sec-websocket-key"] ?? ""))
    return HttpServerResponse.text("missing or invalid Sec-WebSocket-Key", { status: 400 })
  const version = request.headers["sec-websocket-version"]
  if (version !== "13" && version !== "8")
    return HttpServerResponse.text("missing or invalid Sec-WebSocket-Version", {
      status: 400,
      headers: { "sec-websocket-version": "13, 8" }
    })
  return undefined
}

// The upgrade, done here rather than through the platform's: its callback-only API would wait forever on a
// socket ws gave up on. This one ends when the socket closes first, and when the request is interrupted.
const accept = (wss: WebSocketServer, incoming: IncomingMessage) =>
  Effect.async<WebSocket, Error>((resume) => {
    const socket = incoming.socket as Duplex
    const gone = () => resume(Effect.fail(new Error("the socket closed before the upgrade")))
    if (socket.destroyed || !socket.readable || !socket.writable) return gone()
    socket.once("close", gone)
    // the request's head: a client waits for 101 before sending frames (RFC 6455 4.1)
    wss.handleUpgrade(incoming, socket, Buffer.alloc(0), (ws) => {
      socket.off("close", gone)
      resume(Effect.succeed(ws))
    })
    return Effect.sync(() => {
      socket.off("close", gone)
      socket.destroy()
    })
  })

interface Operation {
  readonly controller: AbortController
  oneShot: boolean
  leave?: () => void
  end?: () => void
}

// graphql-transport-ws over the server's own sockets. yoga's envelop parses, validates and builds the context
// (plugins, limits, the role) and runs queries and mutations; a subscription's events are executed once per
// (document, variables, role) and event (Fanout.ts) and reach each socket through its bounded Outbox.
// `authorized` sees connection_init's payload once per socket; refused, the socket closes with 4403.
export const make = (
  yoga: YogaServerInstance<object, object>,
  bridge: Bridge,
  settings: Settings,
  authorized: (connectionParams: Readonly<Record<string, unknown>> | undefined) => boolean = () => true
) =>
  Effect.map(
    Effect.acquireRelease(
      Effect.sync(
        () => new WebSocketServer({ noServer: true, maxPayload: settings.maxMessageBytes, perMessageDeflate: false })
      ),
      (wss) => Effect.sync(() => wss.close())
    ),
    (wss) => handler(wss, yoga, bridge, settings, authorized)
  )

const handler = (
  wss: WebSocketServer,
  yoga: YogaServerInstance<object, object>,
  bridge: Bridge,
  settings: Settings,
  authorized: (connectionParams: Readonly<Record<string, unknown>> | undefined) => boolean
) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const refused = refusal(request)
    if (refused !== undefined) return refused
    const incoming = NodeHttpServerRequest.toIncomingMessage(request)
    const ws = yield* accept(wss, incoming).pipe(Effect.option)
    if (ws._tag === "None") return HttpServerResponse.empty()
    const socket = ws.value
    // ws reports a frame it refuses (over WS_MAX_MESSAGE_BYTES, bad framing) as an 'error' event, then closes the
    // socket itself (1009, 1002): without a listener that event is an uncaught exception that ends the process
    socket.on("error", () => {})
    // the platform answers every request once its handler ends; this one's socket is no HTTP response's anymore
    const platformResponse = (request as unknown as { readonly resolvedResponse: ServerResponse }).resolvedResponse
    platformResponse.removeAllListeners("finish")
    platformResponse.detachSocket(incoming.socket)
    const runtime = yield* Effect.runtime<never>()
    const closed = yield* Deferred.make<void>()
    socket.once("close", () => Deferred.unsafeDone(closed, Exit.void))
    const session = open(socket, incoming, runtime, yoga, bridge, settings, authorized)
    yield* bridge.onShutdown(Effect.sync(session.farewell)).pipe(
      Effect.zipRight(Deferred.await(closed)),
      // the server's scope may close before the bridge's: the farewell is said either way
      Effect.ensuring(
        Effect.sync(() => {
          session.farewell()
          session.end()
        })
      ),
      Effect.scoped
    )
    return HttpServerResponse.empty()
  })

const open = (
  socket: WebSocket,
  incoming: IncomingMessage,
  runtime: Runtime.Runtime<never>,
  yoga: YogaServerInstance<object, object>,
  bridge: Bridge,
  settings: Settings,
  authorized: (connectionParams: Readonly<Record<string, unknown>> | undefined) => boolean
) => {
  const raw = incoming.socket as Duplex
  const left = new AbortController()
  const operations = new Map<string, Operation>()
  let initReceived = false
  let acknowledged = false
  let connectionParams: Readonly<Record<string, unknown>> | undefined
  let ended = false

  const after = (millis: number, run: () => void) => {
    const fiber = bridge.fork(Effect.sleep(millis).pipe(Effect.andThen(Effect.sync(run))), runtime)
    return () => fiber.unsafeInterruptAsFork(fiber.id())
  }
  const outbox = Outbox.make({
    socket: raw,
    maxBytes: settings.maxBufferedBytes,
    frames: Outbox.webSocketFrames,
    after,
    giveUp: () => {
      Metrics.slowReaderClosed("graphql-ws")
      close(Outbox.SLOW_READER.code, Outbox.SLOW_READER.reason, false)
    }
  })
  const send = (message: Message) => outbox.push(Buffer.from(stringifyMessage(message)))
  const close = (code: number, reason: string, flush = true) => {
    if (ended) return
    if (flush) outbox.flushNow()
    end()
    socket.close(code, reason)
  }
  const end = () => {
    if (ended) return
    ended = true
    left.abort()
    outbox.stop()
    cancelInit()
    for (const operation of operations.values()) stop(operation)
    operations.clear()
  }
  const stop = (operation: Operation) => {
    operation.controller.abort()
    operation.leave?.()
    operation.end?.()
  }
  const errorOf = (error: unknown): GraphQLError =>
    bridge.mask(
      error instanceof Error && error.name === "GraphQLError"
        ? (error as GraphQLError)
        : new GraphQLError(error instanceof Error ? error.message : String(error), {
            originalError: error instanceof Error ? error : undefined
          })
    )
  const fail = (id: string, operation: Operation, errors: ReadonlyArray<GraphQLError>) => {
    if (operations.get(id) !== operation) return
    operations.delete(id)
    send({ id, type: MessageType.Error, payload: errors.map((error) => error.toJSON()) })
  }
  const result = (id: string, operation: Operation, value: ExecutionResult) => {
    if (operations.get(id) !== operation) return
    operations.delete(id)
    if (operation.oneShot && bridge.isShuttingDown())
      return send({ id, type: MessageType.Error, payload: [shuttingDown] })
    const { errors, ...rest } = value
    const payload = errors === undefined ? rest : { ...rest, errors: errors.map((error) => error.toJSON()) }
    send({ id, type: MessageType.Next, payload })
    send({ id, type: MessageType.Complete })
  }

  const finished = (id: string, operation: Operation, exit: Exit.Exit<void, unknown>) => {
    operation.leave?.()
    operation.end?.()
    if (operations.get(id) !== operation) return
    operations.delete(id)
    if (Exit.isSuccess(exit) || Exit.isInterrupted(exit)) return send({ id, type: MessageType.Complete })
    send({ id, type: MessageType.Error, payload: [errorOf(Cause.squash(exit.cause)).toJSON()] })
  }

  const subscribe = async (id: string, payload: SubscribePayload, operation: Operation) => {
    // POST: an operation over the socket is no GET, whose mutations yoga refuses (405 over HTTP)
    // the socket's credentials (connection_init) as the operation's own header: one role rule (Roles.ts)
    const authorization = connectionParams?.["authorization"]
    const request = new Request(`http://localhost${incoming.url ?? "/graphql"}`, {
      method: "POST",
      headers: typeof authorization === "string" ? { authorization } : {},
      signal: AbortSignal.any([left.signal, operation.controller.signal])
    })
    const envelope = yoga.getEnveloped({ request, params: payload, runtime, fanout: true })
    const document = parse(envelope, payload.query)
    if (!("kind" in document)) return fail(id, operation, document)
    const errors = envelope.validate(envelope.schema, document)
    if (errors.length > 0) return fail(id, operation, errors)
    const ast = getOperationAST(document, payload.operationName)
    if (ast === null || ast === undefined)
      return fail(id, operation, [new GraphQLError("Unable to identify operation")])
    const contextValue = (await envelope.contextFactory()) as unknown as RoleContext & Record<string, unknown>
    const args = {
      schema: envelope.schema,
      document,
      operationName: payload.operationName ?? null,
      variableValues: payload.variables ?? null,
      contextValue
    }
    if (ast.operation !== "subscription") {
      operation.oneShot = true
      const executed = await envelope.execute(args)
      return result(id, operation, executed as ExecutionResult)
    }
    const subscribed = await envelope.subscribe(args)
    if (!isAsyncIterable(subscribed)) return result(id, operation, subscribed as ExecutionResult)
    // the plugins' own wrapper (metrics count the subscriber until it returns): returned when the operation ends
    const iterator = subscribed[Symbol.asyncIterator]()
    operation.end = () => void iterator.return?.()
    if (operations.get(id) !== operation) return operation.end()
    const selection = Fanout.selection(args, payload.query, contextValue.role)
    const prefix = Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`)
    const leave = Fanout.deliver(
      bridge.sourceOf(contextValue as never) ?? Fanout.iterated(iterator),
      selection,
      bridge.mask,
      {
        next: (event, encoded) => outbox.push(prefix, encoded, Outbox.closeBrace, Fanout.conflationKey(event)),
        end: (exit) => finished(id, operation, exit)
      }
    )
    operation.leave = leave
  }

  const onMessage = (text: string) => {
    let message: Message
    try {
      message = parseMessage(text)
    } catch {
      return close(CloseCode.BadRequest, "Invalid message received")
    }
    switch (message.type) {
      case MessageType.ConnectionInit: {
        if (initReceived) return close(CloseCode.TooManyInitialisationRequests, "Too many initialisation requests")
        initReceived = true
        cancelInit()
        connectionParams = message.payload ?? undefined
        if (!authorized(connectionParams)) return close(CloseCode.Forbidden, "Forbidden")
        acknowledged = true
        return send({ type: MessageType.ConnectionAck })
      }
      case MessageType.Ping:
        return send(message.payload ? { type: MessageType.Pong, payload: message.payload } : { type: MessageType.Pong })
      case MessageType.Pong:
        return
      case MessageType.Subscribe: {
        if (!acknowledged) return close(CloseCode.Unauthorized, "Unauthorized")
        const { id, payload } = message
        if (operations.has(id)) return close(CloseCode.SubscriberAlreadyExists, `Subscriber for ${id} already exists`)
        const operation: Operation = { controller: new AbortController(), oneShot: false }
        operations.set(id, operation)
        return void subscribe(id, payload, operation).catch((error) => {
          // a client that completed its operation has left it: its abort is no error to report
          if (operations.get(id) === operation) fail(id, operation, [errorOf(error)])
        })
      }
      case MessageType.Complete: {
        const operation = operations.get(message.id)
        if (operation === undefined) return
        operations.delete(message.id)
        return stop(operation)
      }
      default:
        return close(CloseCode.BadRequest, `Unexpected message of type ${message.type} received`)
    }
  }

  let cancelInit = () => {}
  if (socket.protocol !== GRAPHQL_TRANSPORT_WS_PROTOCOL) {
    close(CloseCode.SubprotocolNotAcceptable, "Subprotocol not acceptable")
  } else {
    cancelInit = after(INIT_TIMEOUT_MILLIS, () => {
      if (!initReceived) close(CloseCode.ConnectionInitialisationTimeout, "Connection initialisation timeout")
    })
    socket.on("message", (data, isBinary) => {
      if (ended) return
      onMessage(isBinary ? new TextDecoder().decode(data as Buffer) : String(data))
    })
  }

  return {
    // the server shuts down: each open subscription ends with a `complete` (as an SSE stream ends with
    // `event: complete`), a query in flight with ShuttingDown, then the socket closes with 1001
    farewell: () => {
      if (ended || socket.readyState !== socket.OPEN) return
      for (const [id, operation] of operations) {
        send(
          operation.oneShot
            ? { id, type: MessageType.Error, payload: [shuttingDown] }
            : { id, type: MessageType.Complete }
        )
      }
      close(1001, "Going away")
      // a client that does not answer the close holds the server's own close: cut it, as ws would after 30 s
      setTimeout(() => socket.terminate(), SHUTDOWN_CLOSE_MILLIS).unref()
    },
    end
  }
}
