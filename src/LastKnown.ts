import { Context, Duration, Effect, Layer } from "effect"
import { type Candidate, seenAgain } from "./Domain/Confirm.js"
import { type ConnectionUuid, SEVERED_REASON } from "./Domain/Connection.js"
import type { ReceiverVerification, SenderStatusFetched } from "./Domain/Events.js"
import type { EpochMillis } from "./Domain/Time.js"
import { confirmAfter, History } from "./History.js"
import * as Repo from "./LastKnown/Repo.js"
import * as PeerTimeout from "./Peer/Timeout.js"
import { Rollups } from "./Rollups.js"
import { SharedRegistry } from "./SharedRegistry.js"
import * as WriteBehind from "./WriteBehind.js"

export type { LastVerification } from "./LastKnown/Repo.js"

export interface LastKnownApi {
  // synchronous: recorded the moment a check completes, from inside its callback (a history row when the
  // outcome changed); a check of a connection deleted meanwhile is not recorded
  readonly recordStatus: (result: SenderStatusFetched) => SenderStatusFetched
  readonly recordVerification: (verification: ReceiverVerification) => Repo.LastVerification
  // a deleted connection: its results, its row and its history go
  readonly forget: (uuid: ConnectionUuid) => void
  // what is pending, written now (history first)
  readonly flush: Effect.Effect<void>
  // with a shared registry, the store's newer results (another instance's checks), at most once a second
  readonly refresh: Effect.Effect<void>
  // another instance's result, its owner's answer in a cluster: held if newer than ours, with no history row or write
  readonly heard: (known: SenderStatusFetched | Repo.LastVerification) => void
  readonly status: (uuid: string) => SenderStatusFetched | undefined
  readonly verification: (uuid: string) => Repo.LastVerification | undefined
  // a result checked less than maxAgeMillis before `now`, served as it is with its own checkedAt (G3)
  readonly freshStatus: (uuid: string, maxAgeMillis: number, now: number) => SenderStatusFetched | undefined
  readonly freshVerification: (uuid: string, maxAgeMillis: number, now: number) => Repo.LastVerification | undefined
}

// an outcome as the history writes it (ACTIVE, OFFLINE, …): one string per outcome, not one per check
const labels = new Map<string, string>()
const label = (value: string) => {
  let upper = labels.get(value)
  if (upper === undefined) {
    upper = value.toUpperCase()
    if (labels.size < 64) labels.set(value, upper)
  }
  return upper
}

type Known = SenderStatusFetched | Repo.LastVerification

// The latest result of every connection, answered from memory. The store is its durable copy, written
// behind in batches (the latest row of each connection, so never more rows than connections): when a round
// ends (`flush`), once 1,000 are pending, and when the server stops; while the store is down they wait and
// are retried (WriteBehind). A changed outcome records a history row.
const make = Effect.gen(function* () {
  const repo = yield* Repo.LastKnownRepo
  const history = yield* History
  const rollups = yield* Rollups
  const confirming = yield* confirmAfter
  const clock = yield* Effect.clock
  const peerTimeoutMs = yield* PeerTimeout.peerTimeoutMs
  const statuses = new Map<string, SenderStatusFetched>()
  const verifications = new Map<string, Repo.LastVerification>()
  const newer = (stored: EpochMillis, held: EpochMillis | undefined) => held === undefined || stored > held

  // Connections deleted lately, with when: a check in flight when its connection was deleted completes after
  // `forget`, and must not bring it back (in memory, in the store, in the history). A check ends within
  // PEER_TIMEOUT_MS of its start, so a uuid is kept twice that long; a Map keeps them oldest first.
  const deleted = new Map<string, number>()
  const keepDeletedMillis = 2 * peerTimeoutMs
  const isDeleted = (uuid: string) => deleted.size > 0 && deleted.has(uuid)

  // The outcome each connection's history last recorded, whoever recorded it: this instance's checks, the
  // store's newer results (reload), and the rows other instances record, heard at once (before their batch
  // reaches the store). A change is then recorded by the first instance that sees it, not again by each
  // instance that checks after it. Only checks that run at the same moment on two instances can both record.
  const outcomes = new Map<string, string>()
  // CONFIRM_AFTER > 1: the outcome each connection has had lately, other than the recorded one, and how often
  const candidates = new Map<string, Candidate>()
  yield* history.onHeard((change) => {
    // a sever's row is the connection's status, not a check's outcome
    if (change.reason === SEVERED_REASON && change.to === "SUSPENDED") return
    if (!isDeleted(change.connectionUuid)) {
      outcomes.set(change.connectionUuid, change.to)
      candidates.delete(change.connectionUuid)
    }
  })

  // with several instances on one store, another may have checked since: its newer results are taken,
  // so freshness (one request per connection per interval) and the history's "from" hold across instances
  // a result another instance got (read from the store, or its owner's answer): held if newer, as it is, with no
  // history row and no write (its owner recorded them)
  const heard = (known: Known) => {
    if ("verification" in known) {
      const uuid = known.verification.connectionUuid
      if (isDeleted(uuid)) return
      const held = verifications.get(uuid)?.verification.checkedAt
      if (newer(known.verification.checkedAt, held)) {
        verifications.set(uuid, known)
        if (confirming === 1) outcomes.set(uuid, label(known.verification.outcome))
      }
    } else if (
      !isDeleted(known.connectionUuid) &&
      newer(known.checkedAt, statuses.get(known.connectionUuid)?.checkedAt)
    ) {
      statuses.set(known.connectionUuid, known)
      if (confirming === 1) outcomes.set(known.connectionUuid, label(known.status))
    }
  }
  const reload = Effect.map(repo.loadAll, (all) => {
    for (const known of all) heard(known)
  })
  yield* Effect.orDie(reload)
  // CONFIRM_AFTER > 1: the last result may be a change not confirmed yet; the history says what was recorded
  if (confirming > 1) {
    for (const row of yield* Effect.orDie(history.latestOutcomes)) outcomes.set(row.connection_uuid, row.to_state)
  }
  // With a shared registry, another instance's checks count too when deciding what is fresh: its newest
  // results are read from the store, at most once a second however many rounds and fields ask (edges of
  // under a second may ask a remote twice)
  const refresh = (yield* SharedRegistry)
    ? yield* Effect.cachedWithTTL(Effect.ignore(reload), Duration.seconds(1))
    : Effect.void

  // each connection's latest result to write (null: its connection was deleted), made a row only when written
  const pending = new Map<ConnectionUuid, Known | null>()
  const toRow = (known: Known | null) =>
    known === null ? null : "verification" in known ? Repo.verificationRow(known) : Repo.statusRow(known)
  const writer = yield* WriteBehind.make({
    name: "LastKnown",
    limit: 1000,
    pending: () => pending.size,
    take: () => {
      if (pending.size === 0) return undefined
      const batch = Array.from(pending)
      pending.clear()
      return batch
    },
    // unless a newer result (or the deletion) of the same connection came since
    putBack: (batch) => {
      for (const [uuid, known] of batch) if (!pending.has(uuid)) pending.set(uuid, known)
    },
    write: (batch) => repo.write(batch.map(([uuid, known]) => [uuid, toRow(known)] as const))
  })
  const save = (uuid: ConnectionUuid, known: Known | null) => {
    pending.set(uuid, known)
    writer.added()
  }

  // checks recorded since the last flush: how many a round checked, for the webhook's mass rule
  let checked = 0

  // a history row when the outcome is not the one last recorded, seen CONFIRM_AFTER checks in a row (the
  // first check of a connection is recorded at once: there is nothing to confirm it against)
  const changed = (uuid: ConnectionUuid, outcome: string, reason: string | null) => {
    checked++
    const previous = outcomes.get(uuid)
    if (confirming > 1) {
      if (previous === outcome) {
        if (candidates.size > 0) candidates.delete(uuid)
        return
      }
      if (previous !== undefined) {
        const candidate = seenAgain(candidates.get(uuid), outcome)
        if (candidate.seen < confirming) return void candidates.set(uuid, candidate)
        candidates.delete(uuid)
      }
    } else if (previous === outcome) return
    outcomes.set(uuid, outcome)
    history.record(uuid, previous ?? null, outcome, reason)
  }

  // a check's result kept, written behind, counted in the rollups and, when its outcome changed, in the history
  const record = <K extends Known>(
    known: Map<string, K>,
    last: K,
    check: SenderStatusFetched | ReceiverVerification,
    outcome: string
  ) => {
    if (isDeleted(check.connectionUuid)) return last
    known.set(check.connectionUuid, last)
    save(check.connectionUuid, last)
    rollups.add(check.connectionUuid, check.checkedAt, outcome, check.durationMs)
    changed(check.connectionUuid, label(outcome), check.reason)
    return last
  }

  // synchronous: recorded the moment a check completes, from inside its callback
  const recordStatus = (result: SenderStatusFetched) => record(statuses, result, result, result.status)

  const recordVerification = (verification: ReceiverVerification): Repo.LastVerification => {
    const previous = verifications.get(verification.connectionUuid)
    const notFoundCount = verification.outcome === "not_found" ? (previous?.notFoundCount ?? 0) + 1 : 0
    return record(verifications, { verification, notFoundCount }, verification, verification.outcome)
  }

  const forget = (uuid: ConnectionUuid) => {
    const now = clock.unsafeCurrentTimeMillis()
    for (const [old, at] of deleted) {
      if (now - at < keepDeletedMillis) break
      deleted.delete(old)
    }
    deleted.delete(uuid)
    deleted.set(uuid, now)
    statuses.delete(uuid)
    verifications.delete(uuid)
    outcomes.delete(uuid)
    candidates.delete(uuid)
    history.forget(uuid)
    rollups.forget(uuid)
    save(uuid, null)
  }

  // a result checked less than maxAgeMillis ago is served as it is, with its own checkedAt (G3)
  const freshIn =
    <A>(map: Map<string, A>, checkedAt: (a: A) => EpochMillis) =>
    (uuid: string, maxAgeMillis: number, now: number) => {
      if (maxAgeMillis <= 0) return undefined
      const known = map.get(uuid)
      return known !== undefined && now - checkedAt(known) < maxAgeMillis ? known : undefined
    }

  return {
    recordStatus,
    recordVerification,
    forget,
    heard,
    // history first: a check_results row never gets ahead of the change that led to it
    flush: Effect.zipRight(
      Effect.suspend(() => {
        const batch = checked
        checked = 0
        return history.settle(batch)
      }),
      writer.flush
    ),
    refresh,
    status: (uuid: string) => statuses.get(uuid),
    verification: (uuid: string) => verifications.get(uuid),
    freshStatus: freshIn(statuses, (s) => s.checkedAt),
    freshVerification: freshIn(verifications, (v) => v.verification.checkedAt)
  } satisfies LastKnownApi
})

export class LastKnown extends Context.Tag("syncwatch/LastKnown")<LastKnown, LastKnownApi>() {
  static readonly Default = Layer.scoped(LastKnown, make).pipe(Layer.provide(Repo.LastKnownRepo.layer))
  // the same service over rows kept in memory (no check_results table)
  static readonly Test = Layer.scoped(LastKnown, make).pipe(Layer.provide(Repo.LastKnownRepo.Memory))
}
