import {
  Cause,
  Config,
  type ConfigError,
  DateTime,
  Duration,
  Effect,
  Option,
  Queue,
  Schedule,
  Stream,
  Take
} from "effect"
import { Connections } from "./Connections.js"
import { type Connection, isVerifiable } from "./Domain/Connection.js"
import {
  type ConnectionNotFound,
  failureOutcome,
  InvalidInput,
  type PeerFailure,
  type StoreUnavailable
} from "./Domain/Errors.js"
import {
  ReceiverConnectionSevered,
  ReceiverVerification,
  SenderStatusFetched,
  type StatusEvent,
  StatusRoundCompleted
} from "./Domain/Events.js"
import * as Metrics from "./Metrics.js"
import { PeerClient } from "./Peer/Client.js"

export interface StatusChecksApi {
  // one receiver's remote sender asked for its status; concurrent checks of one connection share one request
  readonly checkReceiver: (connection: Connection) => Effect.Effect<SenderStatusFetched>
  // one sender's remote receiver asked whether it still has the connection; the Watcher applies the severed rule
  readonly verifySender: (connection: Connection) => Effect.Effect<ReceiverVerification>
  // each result the moment its check completes, at most CHECK_CONCURRENCY checks in flight
  readonly receiverChecks: (receivers: Iterable<Connection>) => Stream.Stream<SenderStatusFetched>
  // the eligible senders only (registered at the remote)
  readonly senderVerifications: (senders: Iterable<Connection>) => Stream.Stream<ReceiverVerification>
  // the checks of the streams above, collected in completion order: every receiver (sender) when uuids is omitted;
  // unknown uuids are ConnectionNotFound, connections of the other direction InvalidInput
  readonly checkReceivers: (
    uuids?: ReadonlyArray<string>
  ) => Effect.Effect<Array<SenderStatusFetched>, InvalidInput | ConnectionNotFound | StoreUnavailable>
  readonly verifySenders: (
    uuids?: ReadonlyArray<string>
  ) => Effect.Effect<Array<ReceiverVerification>, InvalidInput | ConnectionNotFound | StoreUnavailable>
  // one round now; with everySeconds, another after each interval until the consumer leaves
  readonly statusEvents: (everySeconds?: number) => Stream.Stream<StatusEvent, InvalidInput>
}

// results are built from values already typed: their classes skip a second validation (the hot path)
const trusted = { disableValidation: true } as const

// The one producer behind both forms: CHECK_CONCURRENCY workers pulling from one iterator (a fiber per worker,
// not one per check), each result handed to `emit` the moment its check completes. A check that dies ends it
// with its cause, logged here.
const inCompletionOrder = <A, B>(
  items: Iterable<A>,
  check: (item: A) => Effect.Effect<B>,
  concurrency: number,
  emit: (b: B) => Effect.Effect<void>
): Effect.Effect<void> => {
  const pending = items[Symbol.iterator]()
  const worker: Effect.Effect<void> = Effect.suspend(() => {
    const next = pending.next()
    return next.done === true ? Effect.void : Effect.flatMap(check(next.value), (b) => Effect.zipRight(emit(b), worker))
  })
  return Effect.all(
    Array.from({ length: concurrency }, () => worker),
    { concurrency, discard: true }
  ).pipe(
    Effect.onError((cause) =>
      Cause.isInterruptedOnly(cause) ? Effect.void : Effect.logError("A status check died: ending the checks", cause)
    )
  )
}

// Each result the moment it is ready, through a bounded queue: a slow consumer holds the checks back instead of
// a whole round piling up. The consumer leaving closes the scope and interrupts every check; a check that dies
// ends the stream with its cause.
const streamed = <A, B>(
  items: Iterable<A>,
  check: (item: A) => Effect.Effect<B>,
  concurrency: number
): Stream.Stream<B> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const results = yield* Effect.acquireRelease(Queue.bounded<Take.Take<B>>(concurrency), Queue.shutdown)
      yield* inCompletionOrder(items, check, concurrency, (b) => Queue.offer(results, Take.of(b))).pipe(
        Effect.onExit((exit) =>
          exit._tag === "Success"
            ? Queue.offer(results, Take.end)
            : Cause.isInterruptedOnly(exit.cause)
              ? Effect.void
              : Queue.offer(results, Take.failCause(exit.cause))
        ),
        Effect.forkScoped
      )
      return Stream.fromQueue(results).pipe(Stream.flattenTake)
    })
  )

// The same producer collected into one array, in completion order, without a Stream in between: its
// per-element hand-off costs ≈ 28 µs of CPU more than Effect.forEach, for nothing when nobody reads as it comes.
const collected = <A, B>(
  items: Iterable<A>,
  check: (item: A) => Effect.Effect<B>,
  concurrency: number
): Effect.Effect<Array<B>> =>
  Effect.suspend(() => {
    const all: Array<B> = []
    return inCompletionOrder(items, check, concurrency, (b) => Effect.sync(() => void all.push(b))).pipe(Effect.as(all))
  })

const make: Effect.Effect<StatusChecksApi, ConfigError.ConfigError, Connections | PeerClient> = Effect.gen(
  function* () {
    const connections = yield* Connections
    const peer = yield* PeerClient
    const concurrency = yield* Config.integer("CHECK_CONCURRENCY").pipe(
      Config.validate({ message: "CHECK_CONCURRENCY must be a positive integer", validation: (n) => n > 0 }),
      Config.withDefault(64)
    )

    const failureFields = (error: PeerFailure) => ({
      reason: error.reason,
      detail: error._tag === "NotFound" ? null : (error.detail ?? null)
    })

    // per-check work is untraced and fiberless past the caller's own: a span each costs more than the check
    const checkReceiver = (connection: Connection): Effect.Effect<SenderStatusFetched> =>
      Effect.clockWith((clock) => {
        const started = clock.unsafeCurrentTimeNanos()
        const timing = () => {
          const finished = clock.unsafeCurrentTimeNanos()
          return {
            connectionUuid: connection.uuid,
            checkedAt: DateTime.unsafeMake(Number(finished / 1_000_000n)),
            durationMs: Number(finished - started) / 1e6
          }
        }
        return Effect.match(peer.getConnectionStatus(connection), {
          onSuccess: ({ status }) =>
            new SenderStatusFetched({ ...timing(), status, remoteStatus: status, reason: null, detail: null }, trusted),
          onFailure: (error) =>
            new SenderStatusFetched(
              {
                ...timing(),
                ...failureFields(error),
                status: failureOutcome(error),
                remoteStatus: error._tag === "RemoteError" ? (error.remoteStatus ?? null) : null
              },
              trusted
            )
        })
      }).pipe(Effect.tap(Metrics.senderStatusChecked))

    const verifySender = (connection: Connection): Effect.Effect<ReceiverVerification> =>
      Effect.gen(function* () {
        const result = yield* peer.verifyConnection(connection).pipe(Effect.either)
        const checkedAt = yield* DateTime.now
        const base = { connectionUuid: connection.uuid, checkedAt, suspended: false, connection: null }
        if (result._tag === "Right")
          return new ReceiverVerification({ ...base, outcome: "exists", reason: null }, trusted)
        const error = result.left
        switch (error._tag) {
          case "NotFound":
            // the severed rule is the Watcher's: it needs the whole round (SEVER_AFTER, the mass-sever brake)
            yield* Effect.logWarning("Verify returned not_found")
            return new ReceiverVerification({ ...base, outcome: "not_found", reason: error.reason }, trusted)
          case "Offline":
            yield* Effect.logDebug("Remote site offline during verify").pipe(
              Effect.annotateLogs("reason", error.reason)
            )
            return new ReceiverVerification({ ...base, outcome: "offline", reason: error.reason }, trusted)
          case "RemoteError":
            yield* Effect.logWarning("Verify failed").pipe(Effect.annotateLogs("reason", error.reason))
            return new ReceiverVerification({ ...base, outcome: "error", reason: error.reason }, trusted)
        }
      }).pipe(
        Metrics.timeVerification,
        Effect.annotateLogs({ connectionUuid: connection.uuid, siteUrl: connection.siteUrl })
      )

    const receiverChecks = (receivers: Iterable<Connection>): Stream.Stream<SenderStatusFetched> =>
      streamed(receivers, checkReceiver, concurrency)

    const senderVerifications = (senders: Iterable<Connection>): Stream.Stream<ReceiverVerification> =>
      streamed(Array.from(senders).filter(isVerifiable), verifySender, concurrency)

    // A deliberate change from the reference: a receiver still pending (registered by another site, not yet
    // approved) is not checked until an admin activates it, so a registration never makes us send traffic.
    // Asked for by uuid, it is checked: that is the admin's own request.
    const ofDirection = (direction: Connection["direction"], uuids: ReadonlyArray<string> | undefined) =>
      uuids === undefined
        ? Effect.map(connections.list({ direction }), (all) =>
            direction === "receiver" ? all.filter((connection) => connection.status !== "pending") : all
          )
        : Effect.flatMap(connections.getMany(uuids), (found) => {
            const wrong = found.find((connection) => connection.direction !== direction)
            return wrong === undefined
              ? Effect.succeed(found)
              : new InvalidInput({ field: "uuids", message: `Connection ${wrong.uuid} is not a ${direction}` })
          })

    // receivers to check: every receiver when uuids is omitted; unknown uuids and senders are errors
    const receiversOf = (uuids?: ReadonlyArray<string>) => ofDirection("receiver", uuids)
    // senders to verify: every sender when uuids is omitted; only the eligible ones are asked
    const sendersOf = (uuids?: ReadonlyArray<string>) => ofDirection("sender", uuids)

    // one round as the admin page runs it on mount: every receiver's sender status, every eligible
    // sender verified, each event the moment its check completes, then the round's summary
    const round = (number: number): Stream.Stream<StatusEvent> =>
      Stream.unwrap(
        Effect.gen(function* () {
          const [receivers, senders] = yield* Effect.all([receiversOf(), sendersOf()])
          let checked = 0
          let severed = 0
          const statuses = receiverChecks(receivers).pipe(Stream.tap(() => Effect.sync(() => checked++)))
          const severances = senderVerifications(senders).pipe(
            Stream.tap(() => Effect.sync(() => checked++)),
            Stream.filterMap((verification) =>
              verification.suspended && verification.connection !== null
                ? Option.some(
                    new ReceiverConnectionSevered({
                      connectionUuid: verification.connectionUuid,
                      connection: verification.connection
                    })
                  )
                : Option.none()
            ),
            Stream.tap(() => Effect.sync(() => severed++))
          )
          const completed = Effect.sync(() => new StatusRoundCompleted({ round: number, checked, severed })).pipe(
            Effect.zipLeft(Metrics.roundCompleted)
          )
          return Stream.merge(statuses, severances).pipe(Stream.concat(Stream.fromEffect(completed)))
        }).pipe(Effect.orDie)
      )

    // one round now; with everySeconds, another after each interval (plus up to 10% jitter) until the consumer leaves
    const statusEvents = (everySeconds?: number): Stream.Stream<StatusEvent, InvalidInput> => {
      if (everySeconds !== undefined && !(Number.isInteger(everySeconds) && everySeconds >= 1)) {
        return Stream.fail(new InvalidInput({ field: "everySeconds", message: "everySeconds must be an integer >= 1" }))
      }
      return Stream.unwrap(
        Effect.sync(() => {
          let rounds = 0
          const next = Stream.suspend(() => round(++rounds))
          if (everySeconds === undefined) return next
          const spacing = Schedule.spaced(Duration.seconds(everySeconds)).pipe(
            Schedule.jitteredWith({ min: 1, max: 1.1 })
          )
          return Stream.repeat(next, spacing)
        })
      )
    }

    const checkReceivers = Effect.fn("StatusChecks.checkReceivers")((uuids?: ReadonlyArray<string>) =>
      Effect.flatMap(receiversOf(uuids), (receivers) => collected(receivers, checkReceiver, concurrency))
    )

    const verifySenders = Effect.fn("StatusChecks.verifySenders")((uuids?: ReadonlyArray<string>) =>
      Effect.flatMap(sendersOf(uuids), (senders) => collected(senders.filter(isVerifiable), verifySender, concurrency))
    )

    return {
      checkReceiver,
      verifySender,
      receiverChecks,
      senderVerifications,
      checkReceivers,
      verifySenders,
      statusEvents
    }
  }
)

export class StatusChecks extends Effect.Service<StatusChecks>()("syncwatch/StatusChecks", { effect: make }) {}
