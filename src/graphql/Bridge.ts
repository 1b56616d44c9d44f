import { Cause, Deferred, Effect, Exit, Fiber, FiberId, FiberSet, Option, Runtime, type Scope, Stream } from "effect"
import type { GraphQLError, GraphQLResolveInfo } from "graphql"
import { createGraphQLError, maskError, type YogaServerOptions } from "graphql-yoga"
import { type ClientError, isClientError, ShuttingDown } from "../Domain/Errors.js"
import * as Feed from "../Feed.js"

// A ClientError becomes a client-visible GraphQL error whose extensions.code is its _tag. Anything else
// (a SqlError, a ParseError, any other tagged error, a defect) is rethrown untouched: yoga masks it
// ("Unexpected error.") and `maskedErrors` below logs it once with its cause.
export const toGraphQLError = (error: unknown): unknown =>
  isClientError(error)
    ? createGraphQLError(error.message, {
        // ShuttingDown: 503 when nothing was sent yet, so a client or proxy knows to retry
        // InvalidInput also names its field, so a form can show the message beside it
        extensions:
          error._tag === "ShuttingDown"
            ? { code: error._tag, http: { status: 503 } }
            : error._tag === "InvalidInput"
              ? { code: error._tag, field: error.field }
              : { code: error._tag }
      })
    : error

// What the route hands yoga (`yoga.fetch(request, { runtime })`): the request fiber's context (its span, its
// services) and FiberRefs (log annotations, loggers). Resolvers run under it, so their spans are children of
// the request's and their log lines carry its trace id. An in-process `yoga.fetch` without it runs under the
// server's own.
export interface ServerContext {
  readonly runtime?: Runtime.Runtime<never>
}
export interface Operation extends ServerContext {
  readonly request: Request
  // the operation's end when it comes before the request's: its time budget (Limits.ts)
  readonly signal?: AbortSignal
}

const TURN_BATCH = 256

const ROOT_TYPES = new Set(["Query", "Mutation", "Subscription"])
// a span for each root field: one per operation field, not one per row of a list
const rootSpan = (info: GraphQLResolveInfo | undefined) =>
  info !== undefined && ROOT_TYPES.has(info.parentType.name) ? `${info.parentType.name}.${info.fieldName}` : undefined

// A subscription's events as the edge takes them: chunk by chunk, until the stream ends (its exit) or the
// listener leaves (the function `listen` returns)
export type Listener = Feed.Listener<unknown>
export interface Source {
  readonly listen: (listener: Listener) => () => void
}

interface Hub {
  readonly listeners: Set<Listener>
  fiber?: Fiber.RuntimeFiber<void, unknown>
}

// resolvers can only fail with a ClientError: anything else must be mapped or die before it gets here
export interface Bridge {
  // queries and mutations: the fiber lives as long as the HTTP request (its AbortSignal interrupts it)
  readonly run: <A>(
    effect: Effect.Effect<A, ClientError>,
    operation: Operation,
    info?: GraphQLResolveInfo
  ) => Promise<A>
  // subscriptions: the stream's scope closes when the client leaves or the server shuts down
  readonly stream: <A>(
    stream: Stream.Stream<A, ClientError>,
    operation: Operation,
    info?: GraphQLResolveInfo
  ) => AsyncIterable<A>
  // the events behind the last `stream` an operation's resolvers returned, for the edge to take chunk by chunk
  // instead of pulling the AsyncIterable one event (one fiber run) at a time. One Stream value handed over by
  // several operations is run once for all of them: such a value is a hot one (a PubSub's), each subscriber
  // taking the events from when it joins, as its own subscription to the PubSub would.
  readonly sourceOf: (operation: Operation) => Source | undefined
  // graphql-ws's own work (a socket write, the socket's session): a fiber of the server's set; never rejects
  readonly fork: <A, E>(effect: Effect.Effect<A, E>, runtime?: Runtime.Runtime<never>) => Fiber.RuntimeFiber<A, E>
  readonly runVoid: (effect: Effect.Effect<unknown, unknown>, runtime?: Runtime.Runtime<never>) => Promise<void>
  // run at shutdown, after the operations in flight ended with ShuttingDown and before the set is interrupted
  readonly onShutdown: (farewell: Effect.Effect<void>) => Effect.Effect<void, never, Scope.Scope>
  readonly maskedErrors: YogaServerOptions<object, object>["maskedErrors"]
  // the same masking for results the edge executes itself (the fan-out of subscription events)
  readonly mask: (error: GraphQLError) => GraphQLError
  readonly isShuttingDown: () => boolean
}

// Every effect of the GraphQL edge runs here, as a fiber of one FiberSet owned by the server's scope.
export const make: Effect.Effect<Bridge, never, Scope.Scope> = Effect.gen(function* () {
  const fibers = yield* FiberSet.make<unknown, unknown>()
  const server = yield* Effect.runtime<never>()
  const shutdown = yield* Deferred.make<void>()
  const inFlight = new Set<Fiber.RuntimeFiber<unknown, unknown>>()
  const farewells = new Set<Effect.Effect<void>>()
  // the runtime an error came from, so its masked log line carries that request's trace id
  const origins = new WeakMap<object, Runtime.Runtime<never>>()
  let closing = false
  yield* Effect.addFinalizer(() =>
    Effect.suspend(() => {
      closing = true
      return Deferred.succeed(shutdown, undefined).pipe(
        Effect.zipRight(Fiber.awaitAll([...inFlight])),
        Effect.zipRight(Effect.all([...farewells], { concurrency: "unbounded", discard: true }))
      )
    })
  )

  const fork = <A, E>(effect: Effect.Effect<A, E>, runtime: Runtime.Runtime<never> = server) => {
    const fiber = Runtime.runFork(runtime)(effect)
    FiberSet.unsafeAdd(fibers, fiber)
    return fiber
  }
  const exitOf = <A, E>(fiber: Fiber.RuntimeFiber<A, E>) =>
    new Promise<Exit.Exit<A, E>>((resolve) => fiber.addObserver(resolve))

  const fromExit = <A>(runtime: Runtime.Runtime<never>, exit: Exit.Exit<A, ClientError>): A => {
    if (Exit.isSuccess(exit)) return exit.value
    const failure = Cause.failureOption(exit.cause)
    if (Option.isSome(failure)) {
      const error = toGraphQLError(failure.value)
      if (typeof error === "object" && error !== null) origins.set(error, runtime)
      throw error
    }
    const squashed = Cause.squash(exit.cause)
    if (typeof squashed === "object" && squashed !== null) origins.set(squashed, runtime)
    throw squashed
  }

  // One listener per operation, however many fields it resolves through here (a list of 1,000 connections
  // asks for each one's history): Node's EventTarget scans its listeners on every add, so one per fiber made
  // an operation's cost quadratic, and its end (the client leaving, its budget) slower than its work.
  interface Running {
    readonly add: (fiber: Fiber.RuntimeFiber<unknown, unknown>) => void
    readonly delete: (fiber: Fiber.RuntimeFiber<unknown, unknown>) => void
  }
  const operations = new WeakMap<AbortSignal, Running>()
  const fibersOf = (signal: AbortSignal): Running => {
    const known = operations.get(signal)
    if (known !== undefined) return known
    const fibers = new Set<Fiber.RuntimeFiber<unknown, unknown>>()
    signal.addEventListener(
      "abort",
      () => {
        for (const fiber of fibers) fiber.unsafeInterruptAsFork(fiber.id())
      },
      { once: true }
    )
    const running: Running = {
      add: (fiber) => (signal.aborted ? fiber.unsafeInterruptAsFork(fiber.id()) : void fibers.add(fiber)),
      delete: (fiber) => void fibers.delete(fiber)
    }
    operations.set(signal, running)
    return running
  }

  // A resolver's fiber resumes the executor in a microtask, which starts the next ones: a list of connections
  // whose fields each read the store never gave the event loop a turn, and held a fiber for each at once, so
  // /health, the client's leaving and the time budget were not heard until the whole operation was done.
  // At most TURN_BATCH fibers start in one turn of the event loop; the others wait, not yet forked, for the
  // next (setImmediate: after the sockets are read), in the order they were asked for.
  let startedThisTurn = 0
  let turnEnds = false
  let waiting: Array<() => void> = []
  let head = 0
  const turn = () => {
    startedThisTurn = 0
    while (head < waiting.length && startedThisTurn < TURN_BATCH) {
      startedThisTurn++
      waiting[head++]!()
    }
    if (head < waiting.length) return void setImmediate(turn)
    waiting = []
    head = 0
    turnEnds = false
  }
  const admitted = () => {
    if (!turnEnds) {
      turnEnds = true
      setImmediate(turn)
    }
    if (head < waiting.length || startedThisTurn >= TURN_BATCH) return false
    startedThisTurn++
    return true
  }

  const start = <A>(effect: Effect.Effect<A, ClientError>, runtime: Runtime.Runtime<never>, running: Running) => {
    // shutdown ends the operation with ShuttingDown
    const fiber = fork(
      Effect.raceFirst(
        effect,
        Effect.zipRight(
          Deferred.await(shutdown),
          Effect.suspend(() => new ShuttingDown())
        )
      ),
      runtime
    )
    inFlight.add(fiber)
    running.add(fiber)
    return exitOf(fiber).then((exit) => {
      inFlight.delete(fiber)
      running.delete(fiber)
      return fromExit(runtime, exit)
    })
  }

  const run: Bridge["run"] = (effect, operation, info) => {
    if (closing) return Promise.reject(toGraphQLError(new ShuttingDown()))
    const runtime = operation.runtime ?? server
    const name = rootSpan(info)
    const named = name === undefined ? effect : Effect.withSpan(effect, name)
    const signal = operation.signal ?? operation.request.signal
    const running = fibersOf(signal)
    if (admitted()) return start(named, runtime, running)
    return new Promise((resolve, reject) => {
      waiting.push(() => {
        if (closing) reject(toGraphQLError(new ShuttingDown()))
        // the operation ended while this waited: never started, as if interrupted at once
        else if (signal.aborted) reject(Cause.squash(Cause.interrupt(FiberId.none)))
        else start(named, runtime, running).then(resolve, reject)
      })
    })
  }

  const sources = new WeakMap<Operation, Source>()
  const hubs = new WeakMap<Stream.Stream<unknown, ClientError>, Hub>()
  // the run starts under the runtime of the operation that started it: its span is that request's child
  const hubOf = (
    stream: Stream.Stream<unknown, ClientError>,
    name: string | undefined,
    runtime: Runtime.Runtime<never>
  ): Source => ({
    listen: (listener) => {
      let hub = hubs.get(stream)
      if (hub === undefined) {
        const started: Hub = { listeners: new Set() }
        hub = started
        hubs.set(stream, started)
        const named = name === undefined ? stream : Stream.withSpan(stream, name)
        const fiber = fork(
          named.pipe(
            Stream.mapError(toGraphQLError),
            Stream.interruptWhen(Deferred.await(shutdown)),
            Stream.runForEachChunk((events) =>
              Effect.sync(() => {
                for (const each of started.listeners) {
                  try {
                    each.chunk(events)
                  } catch (defect) {
                    // one subscriber's failure to take an event is its own
                    started.listeners.delete(each)
                    each.end(Exit.die(defect))
                  }
                }
              })
            )
          ),
          runtime
        )
        started.fiber = fiber
        fiber.addObserver((exit) => {
          if (hubs.get(stream) === started) hubs.delete(stream)
          for (const each of started.listeners) each.end(exit)
          started.listeners.clear()
        })
      }
      const joined = hub
      joined.listeners.add(listener)
      return () => {
        if (!joined.listeners.delete(listener) || joined.listeners.size > 0) return
        if (hubs.get(stream) === joined) hubs.delete(stream)
        joined.fiber?.unsafeInterruptAsFork(joined.fiber.id())
      }
    }
  })

  // A feed (the watcher's rounds) tells each listener itself: listening is one idle fiber per subscriber, which
  // holds its place in the rounds until it leaves, the server shuts down or the feed ends.
  const fed = (feed: Feed.Feed<unknown>, name: string | undefined, runtime: Runtime.Runtime<never>): Source => ({
    listen: (listener) => {
      let done = false
      let fiber: Fiber.RuntimeFiber<void> | undefined
      const leave = () => {
        done = true
        fiber?.unsafeInterruptAsFork(FiberId.none)
      }
      const end = (exit: Exit.Exit<void, unknown>) => {
        if (done) return
        leave()
        listener.end(exit)
      }
      const listening = feed
        .listen({
          chunk: (events) => {
            if (done) return
            try {
              listener.chunk(events)
            } catch (defect) {
              // one subscriber's failure to take an event is its own
              end(Exit.die(defect))
            }
          },
          end: (exit) => end(Exit.mapError(exit, toGraphQLError))
        })
        .pipe(Effect.zipRight(Deferred.await(shutdown)), Effect.scoped)
      fiber = fork(name === undefined ? listening : Effect.withSpan(listening, name), runtime)
      // it ended while it started
      if (done) fiber.unsafeInterruptAsFork(FiberId.none)
      fiber.addObserver((exit) => end(Exit.isFailure(exit) && !Exit.isInterrupted(exit) ? exit : Exit.void))
      return leave
    }
  })

  const stream: Bridge["stream"] = (stream, operation, info) => {
    const name = rootSpan(info)
    const feed = Feed.of(stream)
    const runtime = operation.runtime ?? server
    sources.set(operation, feed === undefined ? hubOf(stream, name, runtime) : fed(feed, name, runtime))
    const named = name === undefined ? stream : Stream.withSpan(stream, name)
    const source = named.pipe(Stream.mapError(toGraphQLError), Stream.interruptWhen(Deferred.await(shutdown)))
    return Stream.toAsyncIterableRuntime(source, operation.runtime ?? server)
  }

  const maskErrorLogged = (error: unknown, message: string, isDev?: boolean) => {
    const masked = maskError(error, message, isDev)
    if (masked !== error) {
      const cause =
        error instanceof Error && "originalError" in error && error.originalError ? error.originalError : error
      const runtime = (typeof cause === "object" && cause !== null && origins.get(cause)) || server
      fork(Effect.logError("GraphQL error masked", Cause.die(cause)), runtime)
    }
    return masked
  }

  return {
    run,
    stream,
    sourceOf: (operation) => sources.get(operation),
    fork,
    runVoid: (effect, runtime) =>
      exitOf(fork(effect, runtime)).then(
        () => undefined,
        () => undefined
      ),
    onShutdown: (farewell) =>
      Effect.acquireRelease(
        Effect.sync(() => farewells.add(farewell)),
        () => Effect.sync(() => farewells.delete(farewell))
      ),
    // the one place every masked error passes, ours (resolver failures and defects) or yoga's own (parsing,
    // validation, plugins): each is logged once with its cause, then the client sees "Unexpected error."
    maskedErrors: { maskError: maskErrorLogged },
    mask: (error) => maskErrorLogged(error, "Unexpected error.", false) as GraphQLError,
    isShuttingDown: () => closing
  }
})
