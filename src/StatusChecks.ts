import { Cause, Config, Context, Effect, Exit, identity, Layer, Option } from "effect"
import type { Connection } from "./Domain/Connection.js"
import { failureOutcome, type PeerFailure } from "./Domain/Errors.js"
import { ReceiverVerification, type SenderStatusFetched, senderStatusFetched } from "./Domain/Events.js"
import { LastKnown, type LastVerification } from "./LastKnown.js"
import * as Metrics from "./Metrics.js"
import { PeerClient } from "./Peer/Client.js"
import * as Setting from "./Setting.js"
import * as SingleFlight from "./SingleFlight.js"
import * as Tracing from "./Tracing.js"

type PeerEndpoint = "get-connection-status" | "verify-connection"

// how old a known result may be and still be served instead of a check: checked less than `maxAgeMillis`
// before `now` (a round or call takes one `now` for all its connections)
export interface Freshness {
  readonly maxAgeMillis: number
  readonly now: number
}

export interface StatusChecksApi {
  // one receiver's remote sender asked for its status, unless a fresh enough result is known (served as it is,
  // with its own checkedAt: G3). Concurrent checks of one connection share one request, which lives until the
  // last of them leaves; its result is recorded in last-known once, in the check's own callback. A failed
  // check is a result; a defect is passed on.
  readonly checkReceiver: (connection: Connection, freshness?: Freshness) => Effect.Effect<SenderStatusFetched>
  // one sender's remote receiver asked whether it still has the connection, under the same rules; with the
  // protocol not-founds in a row it now has (the severed rule is the Watcher's: it needs the whole round)
  readonly verifySender: (connection: Connection, freshness?: Freshness) => Effect.Effect<LastVerification>
}

export const checkConcurrency = Setting.integer("CHECK_CONCURRENCY", { min: 1, unit: "checks at a time" }).pipe(
  Config.withDefault(64)
)

// results are built from values already typed: their classes skip a second validation (the hot path)
const trusted = { disableValidation: true } as const

const make: Effect.Effect<StatusChecksApi, never, LastKnown | PeerClient> = Effect.gen(function* () {
  const peer = yield* PeerClient
  const known = yield* LastKnown

  const clock = yield* Effect.clock

  // a typed failure becomes the result; a defect or an interruption is passed on as it is
  const settle =
    <A, B>(done: (exit: Exit.Exit<B>) => void, onSuccess: (a: A) => B, onFailure: (error: PeerFailure) => B) =>
    (exit: Exit.Exit<A, PeerFailure>) => {
      if (Exit.isSuccess(exit)) return done(Exit.succeed(onSuccess(exit.value)))
      const failure = Cause.failureOption(exit.cause)
      done(Option.isSome(failure) ? Exit.succeed(onFailure(failure.value)) : (exit as Exit.Exit<never>))
    }

  // per-check work is untraced and fiberless: a span or a fiber each costs more than the check. The result is
  // recorded in last-known in the same callback, once however many callers share the check.
  const receiverCheck =
    (connection: Connection): SingleFlight.Task<SenderStatusFetched, never> =>
    (done) => {
      // milliseconds from the Clock, as numbers: no DateTime, no BigInt per check (checkedAt is formatted at the edge)
      const started = clock.unsafeCurrentTimeMillis()
      // one object literal, no spread: spreading the fields in is a measurable part of a check (docs/performance.md)
      const result = (
        status: SenderStatusFetched["status"],
        remoteStatus: string | null,
        reason: SenderStatusFetched["reason"],
        detail: string | null
      ) => {
        const finished = clock.unsafeCurrentTimeMillis()
        const fetched = senderStatusFetched({
          connectionUuid: connection.uuid,
          checkedAt: finished,
          durationMs: finished - started,
          status,
          remoteStatus,
          reason,
          detail
        })
        Metrics.senderStatusChecked(fetched)
        return known.recordStatus(fetched)
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
    (connection: Connection): SingleFlight.Task<LastVerification, never> =>
    (done) => {
      const started = clock.unsafeCurrentTimeMillis()
      const result = (outcome: ReceiverVerification["outcome"], reason: ReceiverVerification["reason"]) => {
        const finished = clock.unsafeCurrentTimeMillis()
        const verification = new ReceiverVerification(
          {
            connectionUuid: connection.uuid,
            checkedAt: finished,
            durationMs: finished - started,
            suspended: false,
            connection: null,
            outcome,
            reason
          },
          trusted
        )
        Metrics.verificationChecked(verification, (finished - started) / 1000)
        return known.recordVerification(verification)
      }
      return peer.verifyCall(connection)(
        settle(
          done,
          () => result("exists", null),
          (error) => result(failureOutcome(error), error.reason)
        )
      )
    }

  // a verification that did not find the connection, once per result however many callers shared its check (each
  // asker runs it: the first one logs)
  const logged = new WeakSet<ReceiverVerification>()
  const logVerification = (connection: Connection, verification: ReceiverVerification): Effect.Effect<void> =>
    Effect.suspend(() => {
      if (logged.has(verification)) return Effect.void
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
    })

  const statusFlight = SingleFlight.make<string, SenderStatusFetched, never>()
  const verifyFlight = SingleFlight.make<string, LastVerification, never>()
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
  // What every asker of a check resumes with, made once in its callback: the result itself, or, when the check
  // got no answer, a debug line first (no step of its own behind each check that got one)
  const answered =
    <A>(connection: Connection, resultOf: (a: A) => SenderStatusFetched | ReceiverVerification) =>
    (exit: Exit.Exit<A>): Effect.Effect<A> => {
      if (Exit.isFailure(exit)) return exit
      const result = resultOf(exit.value)
      const failure = failureOf(result)
      if (failure === null) return exit
      const detail = result._tag === "SenderStatusFetched" ? (result.detail ?? failure) : failure
      return Effect.as(
        Effect.logDebug(`peer call failed: ${detail}`).pipe(Effect.annotateLogs({ peer: connection.siteUrl })),
        exit.value
      )
    }
  const asStatus = identity<SenderStatusFetched>
  const verificationOf = (last: LastVerification) => last.verification
  // a verification's answer: the same, then its own line (not found, failed, offline) once per result. Part of
  // the answer, so a check stays one SingleFlight ask (CompletionOrder's callback path) when nothing is logged
  const verificationAnswer = (connection: Connection) => {
    const answer = answered(connection, verificationOf)
    return (exit: Exit.Exit<LastVerification>): Effect.Effect<LastVerification> =>
      Exit.isSuccess(exit) && exit.value.verification.outcome !== "exists"
        ? Effect.tap(answer(exit), (last) => logVerification(connection, last.verification))
        : answer(exit)
  }

  const checkReceiver = (connection: Connection, freshness?: Freshness): Effect.Effect<SenderStatusFetched> => {
    const fresh =
      freshness === undefined ? undefined : known.freshStatus(connection.uuid, freshness.maxAgeMillis, freshness.now)
    if (fresh !== undefined) return Effect.succeed(fresh)
    const check = statusFlight(connection.uuid, receiverCheck(connection), answered(connection, asStatus))
    return sampled("get-connection-status", asStatus)(check)
  }

  const verifySender = (connection: Connection, freshness?: Freshness): Effect.Effect<LastVerification> => {
    const fresh =
      freshness === undefined
        ? undefined
        : known.freshVerification(connection.uuid, freshness.maxAgeMillis, freshness.now)
    if (fresh !== undefined) return Effect.succeed(fresh)
    const check = verifyFlight(connection.uuid, senderVerification(connection), verificationAnswer(connection))
    return sampled("verify-connection", verificationOf)(check)
  }

  return { checkReceiver, verifySender } satisfies StatusChecksApi
})

export class StatusChecks extends Context.Tag("syncwatch/StatusChecks")<StatusChecks, StatusChecksApi>() {
  static readonly Default = Layer.effect(StatusChecks, make)
}
