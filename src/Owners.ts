import { Context, Effect, Layer, type Scope } from "effect"
import * as CompletionOrder from "./CompletionOrder.js"
import type { Connection } from "./Domain/Connection.js"
import type { SenderStatusFetched } from "./Domain/Events.js"
import type { LastVerification } from "./LastKnown.js"
import { checkConcurrency, type Freshness, StatusChecks } from "./StatusChecks.js"

// Who performs the checks of a round. On one instance, this one. In a cluster (Cluster/Owners.ts), each
// connection's owner: the instance holding the shard of its uuid, asked by the others in one message per owner
// and round; so one request per connection per interval holds across the cluster.
export interface OwnersApi {
  // a round's receivers: each status (fresh from memory, or checked by its owner), told to `onEach` as it completes
  readonly statuses: (
    receivers: ReadonlyArray<Connection>,
    freshness: Freshness,
    onEach?: (status: SenderStatusFetched) => void
  ) => Effect.Effect<Array<SenderStatusFetched>>
  // a round's senders: each verification, under the same rules (the severed rule is the Watcher's)
  readonly verifications: (
    senders: ReadonlyArray<Connection>,
    freshness: Freshness
  ) => Effect.Effect<Array<LastVerification>>
  // the monitor's rounds: forked here on one instance, run once across a cluster (a singleton moving with its shard)
  readonly monitor: (rounds: Effect.Effect<void>) => Effect.Effect<void, never, Scope.Scope>
  // the registry in memory (the Watcher's), of which an owner takes the rows others ask about: no store read
  readonly serve: (rows: (uuids: ReadonlyArray<string>) => Effect.Effect<Array<Connection>>) => Effect.Effect<void>
}

// the checks this instance performs itself, CHECK_CONCURRENCY at a time per call; `batch` may bound them further
// (in a cluster, every call on the instance shares one bound): it gives each call the gate of its checks
export const here = Effect.gen(function* () {
  const checks = yield* StatusChecks
  const concurrency = yield* checkConcurrency
  // the gate starts each check (a thunk: whether a fresh result is known is asked only when it may run, or a check
  // queued behind another of the same connection would not see its result)
  type Gated = <A>(check: () => Effect.Effect<A>) => Effect.Effect<A>
  const ungated: Gated = (check) => check()
  return (batch: () => Gated = () => ungated) => ({
    statuses: (receivers: ReadonlyArray<Connection>, freshness: Freshness, onEach?: (s: SenderStatusFetched) => void) =>
      Effect.suspend(() => {
        const gated = batch()
        return CompletionOrder.collected(
          receivers,
          (r) => gated(() => checks.checkReceiver(r, freshness)),
          concurrency,
          {
            ...(onEach === undefined ? {} : { onEach })
          }
        )
      }),
    verifications: (senders: ReadonlyArray<Connection>, freshness: Freshness) =>
      Effect.suspend(() => {
        const gated = batch()
        return CompletionOrder.collected(senders, (s) => gated(() => checks.verifySender(s, freshness)), concurrency)
      })
  })
})

export class Owners extends Context.Tag("syncwatch/Owners")<Owners, OwnersApi>() {
  // one instance owns every connection (SQLite, and the tests)
  static readonly Local = Layer.effect(
    Owners,
    Effect.map(here, (make) => ({
      ...make(),
      monitor: (rounds: Effect.Effect<void>) => Effect.asVoid(Effect.forkScoped(rounds)),
      // nobody asks
      serve: () => Effect.void
    }))
  )
}
