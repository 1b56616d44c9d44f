import { readFileSync } from "node:fs"
import * as HttpLayerRouter from "@effect/platform/HttpLayerRouter"
import { RequestError } from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import { Effect, Either, Layer, Option, type Runtime } from "effect"
import { createSchema, createYoga, isAsyncIterable, type Plugin, useExecutionCancellation } from "graphql-yoga"
import { ROOT } from "../Root.js"
import * as Bridge from "./Bridge.js"
import * as Edge from "./Edge.js"
import * as Fanout from "./Fanout.js"
import * as Limits from "./Limits.js"
import { useMetrics } from "./Metrics.js"
import * as Outbox from "./Outbox.js"
import * as Resolvers from "./Resolvers.js"
import { useRoles } from "./Roles.js"
import * as Sse from "./Sse.js"
import * as Streamed from "./Streamed.js"
import * as Ws from "./Ws.js"

const typeDefs = readFileSync(new URL("schema.graphql", ROOT), "utf8")

// GraphiQL's first tab (its own welcome text would call syncwatch "an in-browser tool for writing queries")
const WELCOME = `# syncwatch: the registry of sync connections and what their last checks said.
# Press the run button (Ctrl-Enter). The Docs panel lists every query, mutation and subscription;
# the status page at / does the same through this API.
query Connections {
  viewer { role }
  connections {
    name
    direction
    siteUrl
    status
    lastSenderStatus { status reason checkedAt }
    lastVerification { outcome reason checkedAt }
  }
}
`

// notices of what the remote sites were told travel back in the response's extensions
const useRemoteNotices = (): Plugin<Resolvers.Context> => ({
  onExecute: ({ args }) => ({
    onExecuteDone: ({ result, setResult }) => {
      const notices = (args.contextValue as Resolvers.Context).remoteNotices
      if (notices.length === 0 || isAsyncIterable(result)) return
      setResult({ ...result, extensions: { ...result.extensions, remoteNotices: notices } })
    }
  })
})

// errors the operation stopped at before any field ran (a variable of the wrong type, an enum value the
// schema does not have): graphql-js gives them no code, so a client could not tell them from others
const useRequestErrors = (): Plugin<Resolvers.Context> => ({
  onExecute: () => ({
    onExecuteDone: ({ result }) => {
      if (isAsyncIterable(result) || result.data !== undefined) return
      for (const error of result.errors ?? []) {
        if (error.extensions["code"] === undefined) Object.assign(error.extensions, { code: "BAD_USER_INPUT" })
      }
    }
  })
})

const assemble = Effect.gen(function* () {
  const edge = yield* Edge.settings
  const limits = yield* Limits.settings
  const resolvers = yield* Resolvers.make
  const bridge = yield* Bridge.make
  const registrySize = yield* Limits.registrySize
  const sse = Sse.make(bridge, yield* Outbox.maxBufferedBytes)
  const streamed = Streamed.make(limits.maxResultBytes)
  let graphiqlHeaders: Record<string, string> = {}
  const yoga = createYoga<Bridge.ServerContext & Fanout.FanoutContext, Resolvers.UserContext>({
    schema: createSchema<Resolvers.Context>({ typeDefs, resolvers: resolvers(bridge) }),
    context: ({ request }) => {
      return { remoteNotices: [], role: Edge.role(edge, request.headers.get("authorization")) }
    },
    plugins: [
      Fanout.useFanout(),
      sse.plugin,
      {
        onResponse: ({ response }) => {
          if (!response.headers.get("content-type")?.startsWith("text/html")) return
          for (const [name, value] of Object.entries(graphiqlHeaders)) response.headers.set(name, value)
        }
      },
      useRoles(),
      ...Limits.plugins(limits, { blockSuggestions: Option.isSome(edge.adminToken) }),
      useExecutionCancellation(),
      // after useExecutionCancellation: the operation's signal is the request's or its budget's end
      Limits.useBudget(limits, bridge, registrySize),
      streamed.plugin,
      useRemoteNotices(),
      useRequestErrors(),
      useMetrics()
    ],
    graphqlEndpoint: "/graphql",
    cors: Edge.cors(edge),
    // bundled assets: nothing from a CDN, so it works offline. Loaded when GraphiQL is first opened: the bundle
    // is ≈ 32 MB of heap that a server nobody browses should not carry (idle RSS)
    renderGraphiQL: (options) =>
      import("@graphql-yoga/render-graphiql").then(({ renderGraphiQL }) => {
        const html = renderGraphiQL(options)
        graphiqlHeaders = Edge.graphiqlHeaders(html)
        return html
      }),
    graphiql: {
      title: "syncwatch",
      defaultQuery: WELCOME,
      // the token typed in the Headers tab stays in that tab: nothing of it in the browser's storage
      shouldPersistHeaders: false,
      ...(Option.isSome(edge.adminToken) ? { defaultHeaders: '{ "Authorization": "Bearer <ADMIN_TOKEN>" }' } : {})
    },
    // Node's own Response and ReadableStream: cancelling the ponyfill's SSE body waits for the pending
    // pull (the next event or ping, 12 s), so a client that left kept its subscription's work running
    fetchAPI: { Request, Response, Headers, ReadableStream, TextEncoder, TextDecoder },
    maskedErrors: bridge.maskedErrors,
    landingPage: false,
    logging: false
  })
  return { yoga, bridge, sse, streamed }
})

export const make = Effect.map(assemble, ({ yoga }) => yoga)

export const checkSettings = Effect.all([Edge.settings, Limits.settings, Ws.settings], { discard: true })

export const RouteLive = Layer.unwrapScoped(
  Effect.gen(function* () {
    const { yoga, bridge, sse, streamed } = yield* assemble
    const edge = yield* Edge.settings
    const wsSettings = yield* Ws.settings
    // fanout: a subscription yoga would stream is served by Sse.ts
    const serve = async (request: Request, runtime: Runtime.Runtime<never>, signal: AbortSignal) => {
      const bounded = await Edge.boundedBody(edge, request, signal)
      return bounded === undefined
        ? HttpServerResponse.toWeb(Edge.tooLarge(edge))
        : yoga.fetch(bounded, { runtime, fanout: true })
    }
    // an Effect handler: yoga runs the operation under this fiber's runtime (its span, services and FiberRefs),
    // and the request's AbortSignal is this fiber's interruption
    const http = Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      const runtime = yield* Effect.runtime<never>()
      const response = yield* Effect.async<Response, RequestError>((resume, signal) => {
        const web = HttpServerRequest.toWebEither(request, { signal, runtime })
        if (Either.isLeft(web)) return resume(Effect.fail(web.left))
        serve(web.right, runtime, signal).then(
          (response) => {
            const taken = sse.taken(response)
            // the client left while yoga subscribed: nobody serves this stream
            if (signal.aborted && taken !== undefined) sse.release(taken)
            resume(Effect.succeed(response))
          },
          (cause) => resume(Effect.fail(new RequestError({ request, reason: "Transport", cause })))
        )
      })
      streamed.onBroken(response, () => NodeHttpServerRequest.toServerResponse(request).destroy())
      const taken = sse.taken(response)
      return taken === undefined
        ? HttpServerResponse.fromWeb(response)
        : yield* sse.serve(taken, response, NodeHttpServerRequest.toServerResponse(request), runtime)
    })
    const ws = yield* Ws.make(yoga as never, bridge, wsSettings, (params) =>
      Edge.authorized(edge, params?.["authorization"])
    )
    return HttpLayerRouter.add(
      "*",
      "/graphql",
      Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
        request.headers["upgrade"]?.toLowerCase() === "websocket"
          ? Option.match(Edge.guardUpgrade(edge, request), {
              onNone: () => ws,
              onSome: (r) => Edge.refused(request, r)
            })
          : Option.match(Edge.guardHttp(edge, request), { onNone: () => http, onSome: (r) => Edge.refused(request, r) })
      ).pipe(
        // an SSE socket is never reused: closing it lets the server close on shutdown
        Effect.map((response) =>
          response.headers["content-type"]?.startsWith("text/event-stream")
            ? HttpServerResponse.setHeader(response, "connection", "close")
            : response
        )
      )
    )
  })
)
