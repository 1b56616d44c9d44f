import { Clock, Config, DateTime, Duration, Effect, Option, Queue, Schedule, Stream, Take } from "effect"
import { Connections } from "./Connections.js"
import { type Connection, isVerifiable } from "./Domain/Connection.js"
import { failureOutcome, InvalidInput, type PeerFailure } from "./Domain/Errors.js"
import {
  ReceiverConnectionSevered,
  ReceiverVerification,
  SenderStatusFetched,
  type StatusEvent,
  StatusRoundCompleted
} from "./Domain/Events.js"
import { PeerClient } from "./Peer/Client.js"
import * as SingleFlight from "./SingleFlight.js"

// each result the moment it is ready; the consumer leaving closes the scope and interrupts every check
const inCompletionOrder = <A, B>(
  items: Iterable<A>,
  check: (item: A) => Effect.Effect<B>,
  concurrency: number
): Stream.Stream<B> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const results = yield* Effect.acquireRelease(Queue.unbounded<Take.Take<B>>(), Queue.shutdown)
      yield* Effect.forEach(items, (item) => Effect.flatMap(check(item), (b) => Queue.offer(results, Take.of(b))), {
        concurrency,
        discard: true
      }).pipe(Effect.zipRight(Queue.offer(results, Take.end)), Effect.forkScoped)
      return Stream.fromQueue(results).pipe(Stream.flattenTake)
    })
  )

export class StatusChecks extends Effect.Service<StatusChecks>()("syncwatch/StatusChecks", {
  scoped: Effect.gen(function* () {
    const connections = yield* Connections
    const peer = yield* PeerClient
    const concurrency = yield* Config.integer("CHECK_CONCURRENCY").pipe(
      Config.validate({ message: "CHECK_CONCURRENCY must be a positive integer", validation: (n) => n > 0 }),
      Config.withDefault(64)
    )
    const permits = yield* Effect.makeSemaphore(concurrency)
    const statusFlight = yield* SingleFlight.make<string, SenderStatusFetched, never>()
    const verifyFlight = yield* SingleFlight.make<string, ReceiverVerification, never>()
    const nowMillis = Clock.currentTimeNanos.pipe(Effect.map((nanos) => Number(nanos) / 1e6))

    const failureFields = (error: PeerFailure) => ({
      reason: error.reason,
      detail: error._tag === "NotFound" ? null : (error.detail ?? null)
    })

    // results are built from values already typed: their classes skip a second validation (the hot path)
    const querySender = (connection: Connection) =>
      Effect.gen(function* () {
        const started = yield* nowMillis
        const result = yield* peer.getConnectionStatus(connection).pipe(Effect.either)
        const finished = yield* nowMillis
        const timing = {
          connectionUuid: connection.uuid,
          checkedAt: DateTime.unsafeMake(Math.floor(finished)),
          durationMs: finished - started
        }
        if (result._tag === "Right") {
          return new SenderStatusFetched(
            {
              ...timing,
              status: result.right.status,
              remoteStatus: result.right.status,
              reason: null,
              detail: null
            },
            true
          )
        }
        const error = result.left
        return new SenderStatusFetched(
          {
            ...timing,
            ...failureFields(error),
            status: failureOutcome(error),
            remoteStatus: error._tag === "RemoteError" ? (error.remoteStatus ?? null) : null
          },
          true
        )
      }).pipe(permits.withPermits(1))

    const verifyReceiver = (connection: Connection) =>
      Effect.gen(function* () {
        const result = yield* peer.verifyConnection(connection).pipe(Effect.either)
        const checkedAt = yield* DateTime.now
        const base = { connectionUuid: connection.uuid, checkedAt, suspended: false, connection: null }
        if (result._tag === "Right") return new ReceiverVerification({ ...base, outcome: "exists", reason: null }, true)
        const error = result.left
        switch (error._tag) {
          case "NotFound": {
            yield* Effect.logWarning("Verify returned not_found: applying the severed rule")
            // the remote's answer is in: finish the local write even if the requester leaves now
            const suspended = yield* Effect.uninterruptible(connections.suspendSevered(connection.uuid)).pipe(
              Effect.catchTag("StoreUnavailable", (error) =>
                Effect.as(Effect.logError("The severed rule could not be applied", error), Option.none())
              )
            )
            return new ReceiverVerification(
              {
                ...base,
                outcome: "not_found",
                reason: error.reason,
                suspended: Option.isSome(suspended),
                connection: Option.getOrNull(suspended)
              },
              true
            )
          }
          case "Offline":
            yield* Effect.logDebug("Remote site offline during verify").pipe(
              Effect.annotateLogs("reason", error.reason)
            )
            return new ReceiverVerification({ ...base, outcome: "offline", reason: error.reason }, true)
          case "RemoteError":
            yield* Effect.logWarning("Verify failed").pipe(Effect.annotateLogs("reason", error.reason))
            return new ReceiverVerification({ ...base, outcome: "error", reason: error.reason }, true)
        }
      }).pipe(
        permits.withPermits(1),
        Effect.annotateLogs({ connectionUuid: connection.uuid, siteUrl: connection.siteUrl })
      )

    // per-check work is untraced: a span each costs more than the check itself at 10k connections;
    // the spans are on the operations that run them (checkSenders, verifySenders, statusEvents' rounds)
    const senderStatus = (connection: Connection) => statusFlight(connection.uuid, querySender(connection))

    const verify = (connection: Connection) => verifyFlight(connection.uuid, verifyReceiver(connection))

    const fetchSenderStatuses = (receivers: Iterable<Connection>): Stream.Stream<SenderStatusFetched> =>
      inCompletionOrder(receivers, senderStatus, concurrency)

    const verifyReceiverConnections = (senders: Iterable<Connection>): Stream.Stream<ReceiverVerification> =>
      inCompletionOrder(Array.from(senders).filter(isVerifiable), verify, concurrency)

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
          const statuses = fetchSenderStatuses(receivers).pipe(Stream.tap(() => Effect.sync(() => checked++)))
          const severances = verifyReceiverConnections(senders).pipe(
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
          const completed = Effect.sync(() => new StatusRoundCompleted({ round: number, checked, severed }))
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

    const checkSenders = Effect.fn("StatusChecks.checkSenders")((uuids?: ReadonlyArray<string>) =>
      Effect.flatMap(receiversOf(uuids), (receivers) => Effect.forEach(receivers, senderStatus, { concurrency }))
    )

    const verifySenders = Effect.fn("StatusChecks.verifySenders")((uuids?: ReadonlyArray<string>) =>
      Effect.flatMap(sendersOf(uuids), (senders) =>
        Effect.forEach(senders.filter(isVerifiable), verify, { concurrency })
      )
    )

    return {
      senderStatus,
      checkSenders,
      verifySenders,
      verifyReceiver: verify,
      fetchSenderStatuses,
      verifyReceiverConnections,
      receiversOf,
      sendersOf,
      statusEvents
    } as const
  })
}) {}
