import type { ServerResponse } from "node:http"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Cause, Deferred, Effect, Exit, type Runtime } from "effect"
import { type ExecutionArgs, type GraphQLError, getOperationAST } from "graphql"
import { createGraphQLError, isAsyncIterable, type Plugin } from "graphql-yoga"
import * as Metrics from "../Metrics.js"
import type { Bridge } from "./Bridge.js"
import * as Fanout from "./Fanout.js"
import * as Outbox from "./Outbox.js"
import type { RoleContext } from "./Roles.js"

// Subscriptions over SSE (GraphQL over HTTP with `accept: text/event-stream`). yoga parses the request,
// negotiates, runs the plugins (roles, limits, metrics) and answers every refusal itself; a subscription it
// would stream is taken here instead: its events are encoded once (Fanout.ts) and reach the response through
// its bounded Outbox, in yoga's own framing (a `:` comment first and as keep-alive, `event: next` and
// `data: <result>` per result, `event: complete` at the end).

const HEADERS = {
  "cache-control": "no-cache",
  // an SSE socket is never reused: closing it lets the server close on shutdown
  connection: "close",
  "content-encoding": "none",
  "content-type": "text/event-stream"
}
const PING = Buffer.from(":\n\n")
const NEXT = Buffer.from("event: next\ndata: ")
const END = Buffer.from("\n\n")
const COMPLETE = Buffer.from("event: complete\ndata:\n\n")
// yoga's keep-alive interval
const PING_MILLIS = 12_000

type Context = Fanout.FanoutContext & RoleContext & { readonly request: Request; readonly params: { query?: string } }

interface Taken {
  readonly args: ExecutionArgs
  readonly iterator: AsyncIterator<unknown>
}

export interface Sse {
  readonly plugin: Plugin<Fanout.FanoutContext>
  // the subscription behind a response yoga answered, if it is one to stream here
  readonly taken: (response: Response) => Taken | undefined
  // the subscription ends without a body (the client left before it was served)
  readonly release: (taken: Taken) => void
  readonly serve: (
    taken: Taken,
    response: Response,
    res: ServerResponse,
    runtime: Runtime.Runtime<never>
  ) => Effect.Effect<HttpServerResponse.HttpServerResponse>
}

export const make = (bridge: Bridge, maxBytes: number): Sse => {
  const subscribed = new WeakMap<Request, ExecutionArgs>()
  const responses = new WeakMap<Response, Taken>()

  const plugin: Plugin<Fanout.FanoutContext> = {
    onSubscribe: ({ args }) => {
      const context = args.contextValue as unknown as Context
      if (context.fanout === true) subscribed.set(context.request, args)
    },
    // after yoga's own choice: a stream it answers (text/event-stream; any other accept is refused with 406)
    onResultProcess: ({ request, result, resultProcessor, setResultProcessor }) => {
      const args = subscribed.get(request)
      if (args === undefined || resultProcessor === undefined || !isAsyncIterable(result)) return
      setResultProcessor((_, fetchAPI) => {
        const response = new fetchAPI.Response(null, { status: 200, headers: HEADERS })
        responses.set(response, { args, iterator: result[Symbol.asyncIterator]() })
        return response
      }, "text/event-stream")
    }
  }

  const serve: Sse["serve"] = (taken, response, res, runtime) =>
    Effect.gen(function* () {
      const { args, iterator } = taken
      const context = args.contextValue as unknown as Context
      const done = yield* Deferred.make<void>()
      let ended = false
      const after = (millis: number, run: () => void) => {
        const fiber = bridge.fork(Effect.sleep(millis).pipe(Effect.andThen(Effect.sync(run))), runtime)
        return () => fiber.unsafeInterruptAsFork(fiber.id())
      }
      let leave = () => {}
      // the platform's writeHead, with yoga's headers and those its plugins added (CORS)
      res.writeHead(response.status, Object.fromEntries(response.headers))
      const outbox = Outbox.make({
        socket: res,
        maxBytes,
        frames: Outbox.plainFrames,
        after,
        giveUp: () => {
          Metrics.slowReaderClosed("sse")
          stop()
          // what waits behind a reader that does not read is never delivered: the socket goes
          res.end()
          res.destroy()
        }
      })
      let cancelPing = () => {}
      const ping = () => {
        if (res.writableLength === 0) outbox.push(PING)
        cancelPing = after(PING_MILLIS, ping)
      }
      const stop = () => {
        if (ended) return false
        ended = true
        leave()
        cancelPing()
        void iterator.return?.()
        Deferred.unsafeDone(done, Exit.void)
        return true
      }
      // the stream's end: its error as a last result (as yoga reports it: located at the operation), then
      // `complete`, and the body ends
      const finish = (error?: GraphQLError) => {
        if (!stop()) return
        if (res.destroyed || res.writableEnded) return outbox.stop()
        if (error !== undefined)
          outbox.push(NEXT, Buffer.from(JSON.stringify({ errors: [Fanout.errorJson(error)] })), END)
        outbox.push(COMPLETE)
        outbox.flushNow()
        outbox.stop()
        res.end()
      }
      const failed = (cause: unknown): GraphQLError => {
        const error = cause instanceof Error ? cause : new Error(String(cause))
        const operation = getOperationAST(args.document, args.operationName)
        return bridge.mask(
          createGraphQLError(error.message, {
            originalError: error,
            ...(operation == null ? {} : { nodes: [operation] })
          })
        )
      }

      outbox.push(PING)
      cancelPing = after(PING_MILLIS, ping)
      leave = Fanout.deliver(
        bridge.sourceOf(context as never) ?? Fanout.iterated(iterator),
        Fanout.selection(args as never, context.params.query ?? "", context.role),
        bridge.mask,
        {
          next: (event, encoded) => outbox.push(NEXT, encoded, END, Fanout.conflationKey(event)),
          end: (exit) =>
            Exit.isFailure(exit) && !Exit.isInterrupted(exit) ? finish(failed(Cause.squash(exit.cause))) : finish()
        }
      )
      if (ended) leave()
      yield* bridge.onShutdown(Effect.sync(() => finish())).pipe(
        Effect.zipRight(Deferred.await(done)),
        // the client left (the platform interrupts this fiber) or the server's scope closed first
        Effect.ensuring(Effect.sync(() => finish())),
        Effect.scoped
      )
      return HttpServerResponse.empty()
    })

  return {
    plugin,
    taken: (response) => responses.get(response),
    release: (taken) => void taken.iterator.return?.(),
    serve
  }
}
