import { randomUUID } from "node:crypto"
import * as Entity from "@effect/cluster/Entity"
import * as EntityId from "@effect/cluster/EntityId"
import * as Sharding from "@effect/cluster/Sharding"
import * as ShardingConfig from "@effect/cluster/ShardingConfig"
import * as Rpc from "@effect/rpc/Rpc"
import { Clock, Deferred, Duration, Effect, Fiber, Layer, Queue, Schedule, Schema } from "effect"
import type { Connection } from "../Domain/Connection.js"
import { ReceiverVerification, SenderStatusFetched } from "../Domain/Events.js"
import { LastKnown } from "../LastKnown.js"
import { here, Owners } from "../Owners.js"
import { checkConcurrency, type Freshness } from "../StatusChecks.js"
import * as Gate from "./Gate.js"

// One message per owner and round asks another instance for the results of the round's connections in the shards
// it holds (docs/cluster.md, "Each connection has one owner"): uuids only (the owner reads its rows), volatile (not
// stored: a round has nobody to answer later), answered with the results once all are in, the owner's id (so the
// asker knows whom to ask next time) and the asked uuids of shards it does not hold (asked again of their owners).
const Ask = Schema.Struct({ uuids: Schema.Array(Schema.String), maxAgeMillis: Schema.Number, now: Schema.Number })
const answer = <A, I>(result: Schema.Schema<A, I>) =>
  Schema.Struct({ owner: Schema.String, results: Schema.Array(result), elsewhere: Schema.Array(Schema.String) })
const Verified = Schema.Struct({ verification: ReceiverVerification, notFoundCount: Schema.Number })
export const Checks = Entity.make("syncwatch/checks", [
  Rpc.make("Statuses", { payload: Ask, success: answer(SenderStatusFetched) }),
  Rpc.make("Verifications", { payload: Ask, success: answer(Verified) })
])
// uuids grouped by who to ask (an owner's id, or a shard)
const added = <K>(groups: Map<K, Array<string>>, key: K, uuid: string) => {
  const group = groups.get(key)
  if (group === undefined) groups.set(key, [uuid])
  else group.push(uuid)
}
interface Answer<A> {
  readonly owner: string
  readonly results: ReadonlyArray<A>
  readonly elsewhere: ReadonlyArray<string>
}

const GROUP = "default"
// at most this many uuids in one message: an owner answers each once its checks are done (oldest first), so a
// round's results come back all along, not at its end
const PER_MESSAGE = 200
// an ask that failed (its owner died, its shard moved) is sent again this often, reaching the shard's new owner
const RETRY_EVERY = Duration.millis(500)

export const RUNS_HERE = "The monitor's rounds run on this instance"
export const STOPPED_HERE = "The monitor's rounds stopped on this instance"

export const layer = Layer.unwrapScoped(
  Effect.gen(function* () {
    const concurrency = yield* checkConcurrency
    // every check this instance performs, its own rounds' and the others' asks, CHECK_CONCURRENCY at a time
    const mine = (yield* here)(Gate.make(concurrency))
    const known = yield* LastKnown
    const sharding = yield* Sharding.Sharding
    const shardOf = (uuid: string) => sharding.getShardId(EntityId.make(uuid), GROUP)
    // this instance, as the askers know it
    const self = randomUUID()

    // the owner's side: the rows of the asked uuids from the registry in memory (the Watcher's, once it is up), a
    // connection deleted meanwhile left out
    const registry = yield* Deferred.make<(uuids: ReadonlyArray<string>) => Effect.Effect<Array<Connection>>>()
    const rowsOf = (uuids: ReadonlyArray<string>) => Effect.flatMap(Deferred.await(registry), (rows) => rows(uuids))
    // the owner's results in the store (and their history rows) once it has answered every ask in progress: one
    // write for a burst (a round's asks from every instance), not one per ask (the asker holds the results); under
    // asks that never pause, at least once a second
    const wake = yield* Queue.sliding<void>(1)
    yield* Effect.forkScoped(Effect.forever(Effect.zipRight(Queue.take(wake), known.flush)))
    let answering = 0
    let wokenAt = Number.NEGATIVE_INFINITY
    const done = Effect.flatMap(Clock.currentTimeMillis, (now) => {
      answering--
      if (answering > 0 && now - wokenAt < 1000) return Effect.void
      wokenAt = now
      return Queue.offer(wake, undefined)
    })
    // The checks run to their end even if the ask goes away (its socket to the asker broke under load, its shard
    // moved): the ask sent again then joins them or finds their results fresh, so no request is made twice. No read
    // of the store first: the asker read it before its round and asks only for what it holds no fresh result of.
    const answered = <A>(
      ask: typeof Ask.Type,
      check: (rows: Array<Connection>, f: Freshness) => Effect.Effect<Array<A>>
    ) =>
      Effect.suspend(() => {
        const held: Array<string> = []
        const elsewhere: Array<string> = []
        for (const uuid of ask.uuids) (sharding.hasShardId(shardOf(uuid)) ? held : elsewhere).push(uuid)
        return Effect.flatMap(rowsOf(held), (rows) => {
          answering++
          return Effect.flatMap(
            Effect.forkDaemon(Effect.ensuring(check(rows, { maxAgeMillis: ask.maxAgeMillis, now: ask.now }), done)),
            Fiber.join
          )
        }).pipe(Effect.map((results): Answer<A> => ({ owner: self, results, elsewhere })))
      })
    const served = Checks.toLayer(
      Effect.gen(function* () {
        return {
          Statuses: ({ payload }) => answered(payload, (rows, f) => mine.statuses(rows, f)),
          Verifications: ({ payload }) => answered(payload, (rows, f) => mine.verifications(rows, f))
        }
      }),
      { concurrency: "unbounded", maxIdleTime: Duration.minutes(10) }
    )

    const asking = Layer.scoped(
      Owners,
      Effect.gen(function* () {
        const { shardsPerGroup } = yield* ShardingConfig.ShardingConfig
        const client = yield* Checks.client
        // one entity per shard, named so that it lands in that shard: a message to it reaches the shard's owner
        const entityOf = new Map<number, ReturnType<typeof client>>()
        for (let n = 0; entityOf.size < shardsPerGroup; n++) {
          const id = EntityId.make(`shard-${n}`)
          const shard = sharding.getShardId(id, GROUP).id
          if (!entityOf.has(shard)) entityOf.set(shard, client(id))
        }
        // the owner each shard's connections were last answered by: a round's connections of one owner go in one
        // message (PER_MESSAGE uuids at most), sent to the entity of one of their shards; those of a shard with no
        // owner known yet, or no longer held by it (its answer says so), go in a message of that shard alone
        const ownerOf = new Map<number, string>()

        // the round's connections: those of this instance's shards checked here, the others' asked of their
        // owners (a result still fresh here is served without asking), each result told as it comes
        const spread = <A>(
          items: ReadonlyArray<Connection>,
          fresh: (uuid: string) => A | undefined,
          local: (rows: Array<Connection>) => Effect.Effect<Array<A>>,
          ask: (entity: ReturnType<typeof client>, uuids: ReadonlyArray<string>) => Effect.Effect<Answer<A>, unknown>,
          onEach: ((a: A) => void) | undefined,
          heard: (a: A) => void
        ): Effect.Effect<Array<A>> =>
          Effect.suspend(() => {
            const results: Array<A> = []
            const ours: Array<Connection> = []
            // by owner id, or by shard where none is known
            const groups = new Map<string | number, Array<string>>()
            for (const connection of items) {
              const shard = shardOf(connection.uuid)
              if (sharding.hasShardId(shard)) {
                ours.push(connection)
                continue
              }
              const known = fresh(connection.uuid)
              if (known !== undefined) {
                results.push(known)
                onEach?.(known)
                continue
              }
              added(groups, ownerOf.get(shard.id) ?? shard.id, connection.uuid)
            }
            // a message to the owner of its first uuid's shard; the uuids it does not hold, again per shard (after
            // a pause when the message was of their shard alone: its ownership is moving)
            const send = (uuids: ReadonlyArray<string>, alone: boolean): Effect.Effect<void> =>
              ask(entityOf.get(shardOf(uuids[0]!).id)!, uuids).pipe(
                Effect.sandbox,
                Effect.tapError((cause) => Effect.logDebug("An ask of a connection's owner is sent again", cause)),
                Effect.retry(Schedule.spaced(RETRY_EVERY)),
                Effect.orDie,
                Effect.flatMap((answer) => {
                  for (const a of answer.results) {
                    heard(a)
                    results.push(a)
                    onEach?.(a)
                  }
                  const moved = new Set(answer.elsewhere)
                  for (const uuid of uuids) {
                    if (!moved.has(uuid)) ownerOf.set(shardOf(uuid).id, answer.owner)
                  }
                  if (moved.size === 0) return Effect.void
                  const byShard = new Map<number, Array<string>>()
                  for (const uuid of moved) {
                    const shard = shardOf(uuid).id
                    ownerOf.delete(shard)
                    added(byShard, shard, uuid)
                  }
                  const again = Effect.forEach(byShard.values(), (same) => send(same, true), {
                    concurrency: "unbounded",
                    discard: true
                  })
                  return alone ? Effect.delay(again, RETRY_EVERY) : again
                })
              )
            const messages: Array<[Array<string>, boolean]> = []
            for (const [key, uuids] of groups) {
              for (let i = 0; i < uuids.length; i += PER_MESSAGE)
                messages.push([uuids.slice(i, i + PER_MESSAGE), typeof key === "number"])
            }
            const asked = Effect.forEach(messages, ([uuids, alone]) => send(uuids, alone), {
              concurrency: "unbounded",
              discard: true
            })
            const checked = Effect.map(local(ours), (own) => {
              for (const a of own) results.push(a)
            })
            // the asks first: the owners start their checks as early as can be
            return Effect.as(Effect.all([asked, checked], { concurrency: 2, discard: true }), results)
          })

        return {
          statuses: (receivers, freshness, onEach) =>
            spread(
              receivers,
              (uuid) => known.freshStatus(uuid, freshness.maxAgeMillis, freshness.now),
              (rows) => mine.statuses(rows, freshness, onEach),
              (entity, uuids) => entity.Statuses({ uuids, ...freshness }),
              onEach,
              known.heard
            ),
          verifications: (senders, freshness) =>
            spread(
              senders,
              (uuid) => known.freshVerification(uuid, freshness.maxAgeMillis, freshness.now),
              (rows) => mine.verifications(rows, freshness),
              (entity, uuids) => entity.Verifications({ uuids, ...freshness }),
              undefined,
              known.heard
            ),
          serve: (rows) => Effect.asVoid(Deferred.succeed(registry, rows)),
          // a singleton: on the runner owning its shard, moving with it
          monitor: (rounds) =>
            sharding.registerSingleton(
              "syncwatch/monitor",
              Effect.zipRight(Effect.logInfo(RUNS_HERE), rounds).pipe(
                Effect.onInterrupt(() => Effect.logInfo(STOPPED_HERE))
              )
            )
        }
      })
    )
    return Layer.merge(asking, served)
  })
)
