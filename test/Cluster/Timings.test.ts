import { assert, describe, it } from "@effect/vitest"
import { Duration } from "effect"
import { TIMINGS } from "../../src/Cluster.js"

// The shard lock settings (docs/cluster.md, "Takeover"): a lock refresh is given the effective interval,
// min(refresh, expiry / 3) (@effect/cluster), and a refresh that does not finish in it releases every shard of the
// runner, so another instance checks them too. Under load (a busy event loop or database) a refresh must be
// given seconds; the expiry must leave several refreshes before a runner is dropped; a SIGKILLed owner's shards
// must move well inside the bench's 40 s.
describe("the cluster's lock timings", () => {
  const refresh = Duration.toMillis(TIMINGS.shardLockRefreshInterval)
  const expiry = Duration.toMillis(TIMINGS.shardLockExpiration)
  const effective = Math.min(refresh, expiry / 3)

  it("give a refresh at least 5 s before the locks are taken for lost", () => {
    assert.isAtLeast(effective, 5000)
  })

  it("drop a silent runner only after five missed refreshes, and within 40 s", () => {
    assert.isAtLeast(expiry / refresh, 5)
    assert.isAtMost(expiry + Duration.toMillis(TIMINGS.refreshAssignmentsInterval), 40_000)
  })

  it("find an unanswering runner by ping sooner than by expiry", () => {
    assert.isBelow(Duration.toMillis(TIMINGS.runnerHealthCheckInterval), expiry / 2)
  })
})
