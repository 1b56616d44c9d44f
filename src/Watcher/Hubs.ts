import { Cause, Deferred, Duration, Effect, Exit, Fiber, FiberId, Schedule } from "effect"
import * as Subscribers from "./Subscribers.js"

// one round for an audience: its connections' results younger than maxAgeMillis from memory, checks for the rest;
// `severing` says whether it applies the severed rule
export type Round = (
  maxAgeMillis: number,
  severing: () => boolean,
  audience: Subscribers.Audience
) => Effect.Effect<Subscribers.Outcome>

// whether a round's outcome is still what a new round would find for a subscriber: the same registry, each
// result still the latest known and younger than maxAgeMillis, nothing severed or held (and, for a subscriber
// that severs, a round that applied the severed rule)
export type Current = (outcome: Subscribers.Outcome, maxAgeMillis: number, severs: boolean) => Effect.Effect<boolean>

// the rounds of one interval, shared by its subscribers; started by the first, stopped when the last leaves
interface Hub {
  readonly everySeconds: number
  readonly subscribers: Set<Subscribers.Subscriber>
  // rounds started: the interval's round number
  tick: number
  // subscribers whose rounds apply the severed rule
  severing: number
  fiber: Fiber.RuntimeFiber<void> | undefined
  // the last shared round, served again to who joins while it is current
  last: { readonly broadcast: Subscribers.Broadcast; readonly outcome: Subscribers.Outcome } | undefined
  // the shared round in flight, done when it ends (whoever joins meanwhile waits for it: its checks are the ones
  // a round of their own would join)
  running: Deferred.Deferred<void> | undefined
}

export const make = (round: Round, current: Current) =>
  Effect.gen(function* () {
    const scope = yield* Effect.scope
    const hubs = new Map<number, Hub>()

    // whole milliseconds: a jittered delay in fractional nanoseconds kills the TestClock's sleep (BigInt)
    const spacing = (everySeconds: number) =>
      Schedule.spaced(Duration.seconds(everySeconds)).pipe(
        Schedule.jitteredWith({ min: 1, max: 1.1 }),
        Schedule.modifyDelay((_, delay) => Duration.millis(Math.round(Duration.toMillis(delay))))
      )

    // An interval's shared rounds: the first at once (its first subscriber's first round), then one an interval
    // (plus up to 10% jitter) after each ends, for the subscribers that were ready when it started. A round that
    // fails ends the hub and every subscriber of it with its cause.
    const ticks = (hub: Hub) =>
      Effect.suspend(() => {
        hub.tick++
        const ready = Array.from(hub.subscribers).filter((s) => s.ready)
        const broadcast = new Subscribers.Broadcast(hub.tick)
        // the first round's was made when the hub was: who joins before its fiber starts waits for it too
        const running = hub.running ?? Deferred.unsafeMake<void>(FiberId.none)
        hub.running = running
        return round(hub.everySeconds * 1000, () => hub.severing > 0, Subscribers.audience(ready, broadcast)).pipe(
          Effect.tap((outcome) =>
            Effect.sync(() => {
              hub.last = { broadcast, outcome }
            })
          ),
          Effect.ensuring(
            Effect.suspend(() => {
              if (hub.running === running) hub.running = undefined
              return Deferred.done(running, Exit.void)
            })
          )
        )
      }).pipe(
        Effect.repeat(spacing(hub.everySeconds)),
        Effect.onError((cause) =>
          Effect.sync(() => {
            if (Cause.isInterruptedOnly(cause)) return
            if (hubs.get(hub.everySeconds) === hub) hubs.delete(hub.everySeconds)
            for (const s of hub.subscribers) s.fail(cause as Cause.Cause<never>)
          })
        ),
        Effect.asVoid
      )

    // A subscriber joins its interval's hub (uninterruptibly: its count and its finalizer go together; what it
    // forks can be interrupted), starting it when it is the first; it leaves with its scope, and
    // the last to leave stops the hub (its checks in flight are interrupted: the remotes see their sockets close).
    // A later subscriber's first round comes at once: the interval's last round when it is still current (or, for
    // a page, the round in flight when it ends), else its own (fresh results from memory, checks for the rest, joining those
    // in flight); it gets the shared rounds that start after it.
    const join = (everySeconds: number, subscriber: Subscribers.Subscriber) =>
      Effect.gen(function* () {
        const existing = hubs.get(everySeconds)
        const hub: Hub = existing ?? {
          everySeconds,
          subscribers: new Set(),
          tick: 0,
          severing: 0,
          fiber: undefined,
          last: undefined,
          running: undefined
        }
        hub.subscribers.add(subscriber)
        if (subscriber.severs) hub.severing++
        yield* Effect.addFinalizer(() =>
          Effect.suspend(() => {
            hub.subscribers.delete(subscriber)
            if (subscriber.severs) hub.severing--
            if (hub.subscribers.size > 0) return Effect.void
            if (hubs.get(everySeconds) === hub) hubs.delete(everySeconds)
            return hub.fiber === undefined ? Effect.void : Fiber.interrupt(hub.fiber)
          })
        )
        if (existing === undefined) {
          hubs.set(everySeconds, hub)
          hub.running = Deferred.unsafeMake<void>(FiberId.none)
          subscriber.ready = true
          hub.fiber = yield* Effect.forkIn(Effect.interruptible(ticks(hub)), scope)
          return
        }
        // while the interval's last round is current (or, for a page, the round in flight once it ends), it is
        // this subscriber's first: the same events, encoded once
        const own = Effect.suspend(() =>
          round(
            everySeconds * 1000,
            () => subscriber.severs,
            Subscribers.audience([subscriber], new Subscribers.Broadcast(Math.max(hub.tick, 1)))
          )
        )
        const running = hub.running
        const first = Effect.gen(function* () {
          // a page's round comes whole at its end, which an own round's (joining the same checks) would not pass;
          // who takes each result as it completes gets its own round, which streams them now
          if (running !== undefined && !subscriber.resultByResult) yield* Deferred.await(running)
          const last = hub.last
          if (last !== undefined && (yield* current(last.outcome, everySeconds * 1000, subscriber.severs)))
            return Subscribers.replay(subscriber, last.broadcast, last.outcome)
          yield* own
        })
        yield* Effect.forkScoped(
          Effect.interruptible(first).pipe(
            Effect.matchCause({
              onSuccess: () => {
                subscriber.ready = true
              },
              onFailure: (cause) => subscriber.fail(cause as Cause.Cause<never>)
            })
          )
        )
      }).pipe(Effect.uninterruptible)

    return { join } as const
  })
