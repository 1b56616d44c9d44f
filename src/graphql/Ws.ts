import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Socket from "@effect/platform/Socket"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import { Config, Deferred, Effect, Fiber } from "effect"
import { type DocumentNode, type ExecutionArgs, type GraphQLError, getOperationAST } from "graphql"
import { type Context, MessageType, makeServer, stringifyMessage } from "graphql-ws"
import type { YogaServerInstance } from "graphql-yoga"
import { ShuttingDown } from "../Domain/Errors.js"
import type { Bridge } from "./Bridge.js"

// WS_MAX_MESSAGE_BYTES: the largest graphql-ws message a client may send
export const maxMessageBytes = Config.integer("WS_MAX_MESSAGE_BYTES").pipe(
  Config.validate({ message: "WS_MAX_MESSAGE_BYTES must be a positive integer", validation: (n) => n > 0 }),
  Config.withDefault(1024 * 1024)
)

const shuttingDown = { message: new ShuttingDown().message, extensions: { code: "ShuttingDown" } }

type Envelope = ReturnType<YogaServerInstance<object, object>["getEnveloped"]>

// a syntax error is the operation's error: thrown out of onSubscribe it would close the whole socket.
// Known by name: yoga may throw it from another copy of graphql (CJS next to our ESM).
const parse = (envelope: Envelope, query: string): DocumentNode | Array<GraphQLError> => {
  try {
    return envelope.parse(query)
  } catch (error) {
    if (error instanceof Error && error.name === "GraphQLError") return [error as GraphQLError]
    throw error
  }
}

const completedOperation = (text: string): string | undefined => {
  try {
    const message = JSON.parse(text) as { readonly type?: unknown; readonly id?: unknown }
    return message.type === MessageType.Complete && typeof message.id === "string" ? message.id : undefined
  } catch {
    return undefined
  }
}

// The check in the handler below sees a message only once ws has buffered all of it (ws's default cap is
// 100 MiB). ws can refuse a frame from its header alone (close 1009 before the payload arrives), but the
// platform's WebSocketServer takes no options, so the cap is set on the connection's receiver once the
// socket is open; found through the raw socket's own link to it. Should ws's internals move, the check
// after buffering still holds.
const capFrames = (request: HttpServerRequest.HttpServerRequest, maxBytes: number) =>
  Effect.sync(() => {
    const raw = NodeHttpServerRequest.toIncomingMessage(request).socket as unknown as Record<symbol, unknown>
    for (const key of Object.getOwnPropertySymbols(raw)) {
      const receiver = (raw[key] as { _receiver?: { _maxPayload?: unknown } } | undefined)?._receiver
      if (typeof receiver?._maxPayload === "number") receiver._maxPayload = maxBytes
    }
  })

// graphql-ws over the Effect server's own WebSocket upgrade. yoga's envelop parses, validates and
// executes, so the plugins, the context and the resolver bridge are the same as over HTTP: operations run
// under the upgrade request's runtime, and every effect here is a fiber of the bridge's set.
// `authorized` sees connection_init's payload once per socket; refused, the socket closes with 4403
export const handler = (
  yoga: YogaServerInstance<object, object>,
  bridge: Bridge,
  maxMessageBytes: number,
  authorized: (connectionParams: Readonly<Record<string, unknown>> | undefined) => boolean = () => true
) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const socket = yield* request.upgrade
    const write = yield* socket.writer
    const runtime = yield* Effect.runtime<never>()
    const left = new AbortController()
    // each operation's own lifetime: the client completing it (or leaving) interrupts its fiber
    const operations = new Map<string, AbortController>()
    // queries and mutations in flight: at shutdown they end with ShuttingDown, as over HTTP
    const oneShots = new Set<string>()
    let connection: Context | undefined
    const server = makeServer<Record<string, unknown>>({
      onConnect: (ctx) => authorized(ctx.connectionParams),
      execute: (args) => (args.rootValue as Envelope).execute(args),
      subscribe: (args) => (args.rootValue as Envelope).subscribe(args),
      onSubscribe: async (ctx, id, params) => {
        connection = ctx
        const operation = new AbortController()
        operations.set(id, operation)
        // POST: an operation over the socket is no GET, whose mutations yoga refuses (405 over HTTP)
        // the socket's credentials (connection_init) as the operation's own header: one role rule (Roles.ts)
        const authorization = ctx.connectionParams?.["authorization"]
        const webRequest = new Request(`http://localhost${request.url}`, {
          method: "POST",
          headers: typeof authorization === "string" ? { authorization } : {},
          signal: AbortSignal.any([left.signal, operation.signal])
        })
        const envelope = yoga.getEnveloped({ request: webRequest, params, runtime })
        const document = parse(envelope, params.query)
        if (Array.isArray(document)) return document
        const errors = envelope.validate(envelope.schema, document)
        if (errors.length > 0) return errors
        if (getOperationAST(document, params.operationName)?.operation !== "subscription") oneShots.add(id)
        return {
          schema: envelope.schema,
          document,
          operationName: params.operationName ?? null,
          variableValues: params.variables ?? null,
          contextValue: await envelope.contextFactory(),
          rootValue: envelope
        } satisfies ExecutionArgs
      },
      onComplete: (_ctx, id) => {
        operations.delete(id)
        oneShots.delete(id)
      }
    })
    // graphql-ws only stops subscriptions on a client's `complete`; a query or mutation still running
    // is ours to interrupt, as over HTTP when the client aborts
    const cancelOnComplete = (text: string) => {
      const id = completedOperation(text)
      if (id === undefined) return
      operations.get(id)?.abort()
      operations.delete(id)
    }
    const ended = yield* Deferred.make<void>()
    // once the socket is gone a write would wait forever for it to open again
    const sending = (data: string | Socket.CloseEvent) =>
      Effect.raceFirst(Effect.ignore(write(data)), Deferred.await(ended))
    const send = (data: string | Socket.CloseEvent) => bridge.runVoid(sending(data), runtime)
    let onMessage: (data: string) => Promise<void> = async () => {}
    const closed = server.opened(
      {
        protocol: request.headers["sec-websocket-protocol"] ?? "",
        send,
        close: (code, reason) => {
          void send(new Socket.CloseEvent(code, reason))
        },
        onMessage: (cb) => {
          onMessage = cb
        }
      },
      {}
    )
    // a fiber of the bridge's set, not a child of this one: the farewell below needs the socket open
    const session = bridge.fork(
      socket
        .runRaw(
          (data) => {
            // the HTTP body limit does not see socket messages: one too big closes the socket (RFC 6455 1009)
            const size = typeof data === "string" ? Buffer.byteLength(data) : data.byteLength
            if (size > maxMessageBytes) return sending(new Socket.CloseEvent(1009, "Message too big"))
            const text = typeof data === "string" ? data : new TextDecoder().decode(data)
            cancelOnComplete(text)
            return Effect.promise(() => onMessage(text))
          },
          { onOpen: capFrames(request, maxMessageBytes) }
        )
        .pipe(
          Effect.catchAll(() => Effect.void),
          Effect.ensuring(Deferred.succeed(ended, undefined))
        ),
      runtime
    )
    // the server shuts down: each open subscription ends with a `complete` (as an SSE stream ends with
    // `event: complete`), a query in flight with ShuttingDown, then the socket closes; without it the client
    // sees its subscriptions fail. Said once, whichever comes first: the bridge's shutdown or this fiber's
    // interruption. The writes run on fibers of their own: this runs where interruption is masked.
    let saidFarewell = false
    const farewell = Effect.promise(async () => {
      if (saidFarewell) return
      saidFarewell = true
      for (const id of Object.keys(connection?.subscriptions ?? {})) {
        await send(
          oneShots.has(id)
            ? stringifyMessage({ id, type: MessageType.Error, payload: [shuttingDown] })
            : stringifyMessage({ id, type: MessageType.Complete })
        )
      }
      await send(new Socket.CloseEvent(1001, "Going away"))
    })
    yield* bridge.onShutdown(farewell).pipe(
      Effect.zipRight(Fiber.join(session)),
      Effect.onInterrupt(() => Effect.zipRight(farewell, Fiber.interrupt(session))),
      Effect.ensuring(
        Effect.promise(async () => {
          left.abort()
          await closed(1000, "bye")
        })
      ),
      Effect.scoped
    )
    return HttpServerResponse.empty()
  })
