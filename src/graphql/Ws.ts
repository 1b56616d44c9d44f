import { HttpServerRequest, HttpServerResponse, Socket } from "@effect/platform"
import { Effect, Runtime } from "effect"
import type { ExecutionArgs } from "graphql"
import { makeServer } from "graphql-ws"
import type { YogaServerInstance } from "graphql-yoga"

type Envelope = ReturnType<YogaServerInstance<object, object>["getEnveloped"]>

// graphql-ws over the Effect server's own WebSocket upgrade. yoga's envelop parses, validates and
// executes, so the plugins, the context and the resolver bridge are the same as over HTTP.
export const handler = (yoga: YogaServerInstance<object, object>) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const socket = yield* request.upgrade
    const write = yield* socket.writer
    const runtime = yield* Effect.runtime<never>()
    const left = new AbortController()
    const webRequest = new Request(`http://localhost${request.url}`, { signal: left.signal })
    const server = makeServer<Record<string, unknown>>({
      execute: (args) => (args.rootValue as Envelope).execute(args),
      subscribe: (args) => (args.rootValue as Envelope).subscribe(args),
      onSubscribe: async (_ctx, _id, params) => {
        const envelope = yoga.getEnveloped({ request: webRequest, params })
        const document = envelope.parse(params.query)
        const errors = envelope.validate(envelope.schema, document)
        if (errors.length > 0) return errors
        return {
          schema: envelope.schema,
          document,
          operationName: params.operationName ?? null,
          variableValues: params.variables ?? null,
          contextValue: await envelope.contextFactory(),
          rootValue: envelope
        } satisfies ExecutionArgs
      }
    })
    let onMessage: (data: string) => Promise<void> = async () => {}
    const closed = server.opened(
      {
        protocol: request.headers["sec-websocket-protocol"] ?? "",
        send: (data) => Runtime.runPromise(runtime)(write(data)),
        close: (code, reason) => {
          Runtime.runFork(runtime)(write(new Socket.CloseEvent(code, reason)))
        },
        onMessage: (cb) => {
          onMessage = cb
        }
      },
      {}
    )
    yield* socket
      .runRaw((data) =>
        Effect.promise(() => onMessage(typeof data === "string" ? data : new TextDecoder().decode(data)))
      )
      .pipe(
        Effect.catchAll(() => Effect.void),
        Effect.ensuring(
          Effect.promise(async () => {
            left.abort()
            await closed(1000, "bye")
          })
        )
      )
    return HttpServerResponse.empty()
  })
