import { Cause, Config, type ConfigError, DateTime, Effect, Exit, identity, Option, type Stream } from "effect"
import * as CompletionOrder from "./CompletionOrder.js"
import { Connections } from "./Connections.js"
import { type Connection, isVerifiable } from "./Domain/Connection.js"
import {
  type ConnectionNotFound,
  failureOutcome,
  InvalidInput,
  type PeerFailure,
  type StoreUnavailable
} from "./Domain/Errors.js"
import { ReceiverVerification, type SenderStatusFetched, senderStatusFetched } from "./Domain/Events.js"
import * as Metrics from "./Metrics.js"
import { PeerClient } from "./Peer/Client.js"
import * as SingleFlight from "./SingleFlight.js"
import * as Tracing from "./Tracing.js"

export type PeerEndpoint = "get-connection-status" | "verify-connection"

export interface StatusChecksApi {
  // one receiver's check as a callback task: its request, its result built and counted once, whoever shares it
  // (the Watcher's single-flight records it in the same callback). A defect is passed on, not made a result.
  readonly receiverCheck: (connection: Connection) => SingleFlight.Task<SenderStatusFetched, never>
  // one sender's verification as a callback task; log it with `logVerification` (once per result)
  readonly senderVerification: (connection: Connection) => SingleFlight.Task<ReceiverVerification, never>
  readonly logVerification: (connection: Connection, verification: ReceiverVerification) => Effect.Effect<void>
  // around each asker's wait for a check (the Watcher's own single-flight too): a result without an answer
  // logged at debug level in the asker's trace, and with tracing on, a sample of the calls as spans under the
  // asker's span (Tracing.peerCall: the first ones and every failed one, counts on the parent)
  readonly observed: <A>(
    endpoint: PeerEndpoint,
    connection: Connection,
    resultOf: (a: A) => SenderStatusFetched | ReceiverVerification
  ) => (self: Effect.Effect<A>) => Effect.Effect<A>
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
}

// results are built from values already typed: their classes skip a second validation (the hot path)
const trusted = { disableValidation: true } as const

const make: Effect.Effect<StatusChecksApi, ConfigError.ConfigError, Connections | PeerClient> = Effect.gen(
  function* () {
    const connections = yield* Connections
    const peer = yield* PeerClient
    const concurrency = yield* Config.integer("CHECK_CONCURRENCY").pipe(
      Config.validate({ message: "CHECK_CONCURRENCY must be a positive integer", validation: (n) => n > 0 }),
      Config.withDefault(64)
    )

    const clock = yield* Effect.clock

    // a typed failure becomes the result; a defect or an interruption is passed on as it is
    const settle =
      <A, B>(done: (exit: Exit.Exit<B>) => void, onSuccess: (a: A) => B, onFailure: (error: PeerFailure) => B) =>
      (exit: Exit.Exit<A, PeerFailure>) => {
        if (Exit.isSuccess(exit)) return done(Exit.succeed(onSuccess(exit.value)))
        const failure = Cause.failureOption(exit.cause)
        done(Option.isSome(failure) ? Exit.succeed(onFailure(failure.value)) : (exit as Exit.Exit<never>))
      }

    // per-check work is untraced and fiberless: a span or a fiber each costs more than the check
    const receiverCheck =
      (connection: Connection): SingleFlight.Task<SenderStatusFetched, never> =>
      (done) => {
        const started = clock.unsafeCurrentTimeNanos()
        // one object literal, no spread: spreading the fields in costs ≈ 4 µs a result, a tenth of the check
        const result = (
          status: SenderStatusFetched["status"],
          remoteStatus: string | null,
          reason: SenderStatusFetched["reason"],
          detail: string | null
        ) => {
          const finished = clock.unsafeCurrentTimeNanos()
          const fetched = senderStatusFetched({
            connectionUuid: connection.uuid,
            checkedAt: DateTime.unsafeMake(Number(finished / 1_000_000n)),
            durationMs: Number(finished - started) / 1e6,
            status,
            remoteStatus,
            reason,
            detail
          })
          Metrics.senderStatusChecked(fetched)
          return fetched
        }
        return peer.statusCall(connection)(
          settle(
            done,
            ({ status }) => result(status, status, null, null),
            (error) =>
              result(
                failureOutcome(error),
                error._tag === "RemoteError" ? (error.remoteStatus ?? null) : null,
                error.reason,
                error._tag === "NotFound" ? null : (error.detail ?? null)
              )
          )
        )
      }

    const senderVerification =
      (connection: Connection): SingleFlight.Task<ReceiverVerification, never> =>
      (done) => {
        const started = clock.unsafeCurrentTimeMillis()
        const result = (outcome: ReceiverVerification["outcome"], reason: ReceiverVerification["reason"]) => {
          const finished = clock.unsafeCurrentTimeMillis()
          const verification = new ReceiverVerification(
            {
              connectionUuid: connection.uuid,
              checkedAt: DateTime.unsafeMake(finished),
              suspended: false,
              connection: null,
              outcome,
              reason
            },
            trusted
          )
          Metrics.verificationChecked(verification, (finished - started) / 1000)
          return verification
        }
        return peer.verifyCall(connection)(
          settle(
            done,
            () => result("exists", null),
            (error) => result(failureOutcome(error), error.reason)
          )
        )
      }

    // once per result, however many callers shared its check
    const logged = new WeakSet<ReceiverVerification>()
    const logVerification = (connection: Connection, verification: ReceiverVerification): Effect.Effect<void> => {
      if (logged.has(verification) || verification.outcome === "exists") return Effect.void
      logged.add(verification)
      const log =
        verification.outcome === "not_found"
          ? // the severed rule is the Watcher's: it needs the whole round (SEVER_AFTER, the mass-sever brake)
            Effect.logWarning("Verify returned not_found")
          : verification.outcome === "offline"
            ? Effect.logDebug("Remote site offline during verify").pipe(
                Effect.annotateLogs("reason", verification.reason)
              )
            : Effect.logWarning("Verify failed").pipe(Effect.annotateLogs("reason", verification.reason))
      return Effect.annotateLogs(log, { connectionUuid: connection.uuid, siteUrl: connection.siteUrl })
    }

    const statusFlight = SingleFlight.make<string, SenderStatusFetched, never>()
    const verifyFlight = SingleFlight.make<string, ReceiverVerification, never>()
    // why a check got no answer (null: it did), what its span's error.type says
    const failureOf = (result: SenderStatusFetched | ReceiverVerification): string | null =>
      result._tag === "SenderStatusFetched"
        ? result.reason
        : result.outcome === "exists"
          ? null
          : (result.reason ?? result.outcome)
    const sampled = (yield* Tracing.Enabled)
      ? <A>(endpoint: PeerEndpoint, resultOf: (a: A) => SenderStatusFetched | ReceiverVerification) =>
          Tracing.peerCall<A, never>(
            `PeerClient.${endpoint}`,
            (exit) => exit._tag === "Failure" || failureOf(resultOf(exit.value)) !== null,
            (exit) => {
              const failure = exit._tag === "Failure" ? "interrupted" : failureOf(resultOf(exit.value))
              return failure === null
                ? { "peer.endpoint": endpoint }
                : { "peer.endpoint": endpoint, "error.type": failure }
            }
          )
      : <A>(_: PeerEndpoint, __: (a: A) => SenderStatusFetched | ReceiverVerification) => identity<Effect.Effect<A>>
    const observed =
      <A>(
        endpoint: PeerEndpoint,
        connection: Connection,
        resultOf: (a: A) => SenderStatusFetched | ReceiverVerification
      ) =>
      (self: Effect.Effect<A>): Effect.Effect<A> =>
        // not Effect.tap: an answer (most checks) goes on as the value itself, with no `Effect.as` behind it
        Effect.flatMap(self, (a) => {
          const result = resultOf(a)
          const failure = failureOf(result)
          if (failure === null) return Effect.succeed(a)
          const detail = result._tag === "SenderStatusFetched" ? (result.detail ?? failure) : failure
          return Effect.as(
            Effect.logDebug(`peer call failed: ${detail}`).pipe(Effect.annotateLogs({ peer: connection.siteUrl })),
            a
          )
        }).pipe(sampled(endpoint, resultOf))

    const checkReceiver = (connection: Connection) =>
      observed(
        "get-connection-status",
        connection,
        identity<SenderStatusFetched>
      )(statusFlight(connection.uuid, receiverCheck(connection)))
    const verifySender = (connection: Connection) =>
      Effect.tap(
        observed(
          "verify-connection",
          connection,
          identity<ReceiverVerification>
        )(verifyFlight(connection.uuid, senderVerification(connection))),
        (verification) => logVerification(connection, verification)
      )

    const receiverChecks = (receivers: Iterable<Connection>): Stream.Stream<SenderStatusFetched> =>
      CompletionOrder.streamed(receivers, checkReceiver, concurrency)

    const senderVerifications = (senders: Iterable<Connection>): Stream.Stream<ReceiverVerification> =>
      CompletionOrder.streamed(Array.from(senders).filter(isVerifiable), verifySender, concurrency)

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

    const checkReceivers = Effect.fn("StatusChecks.checkReceivers")((uuids?: ReadonlyArray<string>) =>
      Effect.flatMap(receiversOf(uuids), (receivers) =>
        CompletionOrder.collected(receivers, checkReceiver, concurrency)
      )
    )

    const verifySenders = Effect.fn("StatusChecks.verifySenders")((uuids?: ReadonlyArray<string>) =>
      Effect.flatMap(sendersOf(uuids), (senders) =>
        CompletionOrder.collected(senders.filter(isVerifiable), verifySender, concurrency)
      )
    )

    return {
      receiverCheck,
      senderVerification,
      logVerification,
      observed,
      checkReceiver,
      verifySender,
      receiverChecks,
      senderVerifications,
      checkReceivers,
      verifySenders
    }
  }
)

export class StatusChecks extends Effect.Service<StatusChecks>()("syncwatch/StatusChecks", { effect: make }) {}
