import { Deferred, Duration, Effect, Exit, Option, Queue, type Scope } from "effect"
import { type Client, type ClientOptions, createClient, type FormattedExecutionResult } from "graphql-ws"
import WebSocket from "ws"

// Real GraphQL clients for a running site: SSE over fetch, graphql-ws over ws.

export type Result = FormattedExecutionResult<Record<string, unknown>, Record<string, unknown>>

// a failure guard, never a way to wait: the probe it wraps should resolve long before
export const within =
  (what: string, duration: Duration.DurationInput = "5 seconds") =>
  <A, E, R>(self: Effect.Effect<A, E, R>) =>
    Effect.timeoutFail(self, {
      duration,
      onTimeout: () => new Error(`${what}: nothing within ${Duration.format(duration)}`)
    })

// lets the event loop run a few times (I/O callbacks, timers due now, microtasks): not a sleep
export const turns = (n = 10) =>
  Effect.promise(async () => {
    for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve))
  })

// yoga pings the SSE answers it streams itself (a query or a refusal sent as an event stream) every 300 ms
// under NODE_ENV=test, 12 s otherwise; subscriptions (src/graphql/Sse.ts) every 12 s on the server's Clock.
// A ping also wakes a stalled stream, so a test of how soon the server notices a client leave runs with the
// real interval.
export const realPingInterval: Effect.Effect<void, never, Scope.Scope> = Effect.acquireRelease(
  Effect.sync(() => {
    const before = process.env["NODE_ENV"]
    process.env["NODE_ENV"] = "production"
    return before
  }),
  (before) =>
    Effect.sync(() => {
      if (before === undefined) delete process.env["NODE_ENV"]
      else process.env["NODE_ENV"] = before
    })
)

export interface SseEvent {
  readonly event: string
  readonly data: string
}

export interface EventStream {
  readonly response: Response
  // the first ping (":") arrived: the server has started reading the subscription
  readonly started: Deferred.Deferred<void>
  // the next `event: next`, parsed; fails if the stream ends first
  readonly next: Effect.Effect<Result, Error>
  // every event so far, in order, `complete` included
  readonly events: ReadonlyArray<SseEvent>
  // the body ended: "complete" when the server finished it, "broken" when it was cut off
  readonly ended: Deferred.Deferred<"complete" | "broken">
  // the client leaves: the fetch is aborted
  readonly leave: Effect.Effect<void>
}

const parseBlock = (block: string): SseEvent | undefined => {
  let event: string | undefined
  const data: Array<string> = []
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) event = line.slice(6).trim()
    else if (line.startsWith("data:")) data.push(line.slice(5).trimStart())
  }
  return event === undefined ? undefined : { event, data: data.join("\n") }
}

// `send` is the global fetch over a socket, or a yoga instance's own fetch in process
export const sse = (
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
  send: (url: string, init: RequestInit) => Promise<Response> = fetch
): Effect.Effect<EventStream, never, Scope.Scope> =>
  Effect.gen(function* () {
    const controller = new AbortController()
    yield* Effect.addFinalizer(() => Effect.sync(() => controller.abort()))
    const response = yield* Effect.promise(() =>
      send(url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "text/event-stream", ...headers },
        body: JSON.stringify({ query, variables }),
        signal: controller.signal
      })
    )
    const started = yield* Deferred.make<void>()
    const ended = yield* Deferred.make<"complete" | "broken">()
    const queue = yield* Queue.unbounded<SseEvent | "end">()
    const events: Array<SseEvent> = []
    const read = async () => {
      const reader = response.body!.getReader()
      const decoder = new TextDecoder()
      let buffer = ""
      try {
        for (;;) {
          const { done, value } = await reader.read()
          if (done) return events.at(-1)?.event === "complete" ? "complete" : "broken"
          buffer += decoder.decode(value, { stream: true })
          for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
            const block = buffer.slice(0, end)
            buffer = buffer.slice(end + 2)
            if (block.startsWith(":")) Deferred.unsafeDone(started, Exit.void)
            const event = parseBlock(block)
            if (event === undefined) continue
            events.push(event)
            Queue.unsafeOffer(queue, event)
          }
        }
      } catch {
        return "broken" as const
      }
    }
    yield* Effect.promise(read).pipe(
      Effect.tap((how) => Deferred.succeed(ended, how)),
      Effect.ensuring(Queue.offer(queue, "end")),
      Effect.forkScoped
    )
    const next: Effect.Effect<Result, Error> = Effect.flatMap(Queue.take(queue), (event) =>
      event === "end"
        ? Effect.fail(new Error(`the event stream ended: ${JSON.stringify(events)}`))
        : event.event === "next"
          ? Effect.succeed(JSON.parse(event.data) as Result)
          : next
    )
    return { response, started, next, events, ended, leave: Effect.sync(() => controller.abort()) }
  })

// lazy: the socket opens with the first operation and closes after the last; never retried
export const wsClient = (
  port: number,
  on: ClientOptions["on"] = {},
  options: Partial<ClientOptions> = {}
): Effect.Effect<Client, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() =>
      createClient({
        url: `ws://127.0.0.1:${port}/graphql`,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        on,
        ...options
      })
    ),
    (client) => Effect.promise(async () => client.dispose())
  )

export interface WsOperation {
  readonly next: Effect.Effect<Result, unknown>
  // the server completed the operation (succeed) or the socket failed it (fail)
  readonly done: Deferred.Deferred<void, unknown>
  readonly unsubscribe: Effect.Effect<void>
}

// the socket closed under the operation: say how, instead of a CloseEvent that prints as {}
const closeError = (error: unknown): unknown =>
  error !== null && typeof error === "object" && "code" in error && "reason" in error
    ? new Error(`the socket closed: ${String(error.code)} ${String(error.reason)}`)
    : error

export const wsSubscribe = (
  client: Client,
  query: string,
  variables: Record<string, unknown> = {}
): Effect.Effect<WsOperation, never, Scope.Scope> =>
  Effect.gen(function* () {
    const results = yield* Queue.unbounded<Result>()
    const done = yield* Deferred.make<void, unknown>()
    const stop = client.subscribe<Record<string, unknown>, Record<string, unknown>>(
      { query, variables },
      {
        next: (result) => Queue.unsafeOffer(results, result),
        error: (error) => Deferred.unsafeDone(done, Exit.fail(closeError(error))),
        complete: () => Deferred.unsafeDone(done, Exit.void)
      }
    )
    yield* Effect.addFinalizer(() => Effect.sync(stop))
    const next = Effect.flatMap(
      Queue.poll(results),
      Option.match({
        onSome: Effect.succeed,
        onNone: () =>
          Effect.raceFirst(
            Queue.take(results),
            Effect.zipRight(Deferred.await(done), Effect.fail(new Error("the operation ended before a result")))
          )
      })
    )
    return { next, done, unsubscribe: Effect.sync(stop) }
  })
