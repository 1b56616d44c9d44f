import { Effect } from "effect"
import { ReceiverVerification, SenderStatusFetched } from "../src/Domain/Events.js"
import * as Metrics from "../src/Metrics.js"

// npx tsx bench/metrics.ts: what recording a check's metrics adds to it, in ns per check (the hooks as
// StatusChecks runs them, minus the same loop without them; "the update alone" is the metric's own cost)
const N = 1_000_000
const checkedAt = 0
const statuses = ["active", "offline", "not_found", "error"] as const
const fetched = statuses.map(
  (status) =>
    new SenderStatusFetched(
      {
        connectionUuid: "x" as never,
        status,
        remoteStatus: null,
        reason: null,
        detail: null,
        checkedAt,
        durationMs: 12
      },
      true
    )
)
const verification = new ReceiverVerification(
  {
    connectionUuid: "x" as never,
    outcome: "exists",
    suspended: false,
    reason: null,
    checkedAt,
    durationMs: 12,
    connection: null
  },
  true
)

const time = (label: string, body: (i: number) => Effect.Effect<unknown>) => {
  const loop = Effect.forEach(
    Array.from({ length: N }, (_, i) => i),
    body,
    { discard: true }
  )
  Effect.runSync(loop) // warm up
  // the fastest of five: the machine is shared, and the slow runs measure the neighbours
  let ns = Number.POSITIVE_INFINITY
  for (let run = 0; run < 5; run++) {
    const started = process.hrtime.bigint()
    Effect.runSync(loop)
    ns = Math.min(ns, Number(process.hrtime.bigint() - started) / N)
  }
  return { label, ns }
}

const rows = [
  time("baseline: Effect.succeed per check", (i) => Effect.succeed(fetched[i % 4]!)),
  time("sender status: the update alone", (i) =>
    Effect.sync(() => {
      Metrics.senderStatusChecked(fetched[i % 4]!)
      return fetched[i % 4]!
    })
  ),
  time("sender status: Effect.tap(senderStatusChecked)", (i) =>
    Effect.tap(Effect.succeed(fetched[i % 4]!), Metrics.senderStatusChecked)
  ),
  time("verification: verificationChecked", () =>
    Effect.sync(() => {
      Metrics.verificationChecked(verification, 0.001)
      return verification
    })
  ),
  time("baseline: Effect.async per check", () => Effect.async<void>((resume) => resume(Effect.void))),
  time("peer check: peerCallStarted/Settled (in flight +1/-1)", () =>
    Effect.async<void>((resume) => {
      Metrics.peerCallStarted()
      Metrics.peerCallSettled()
      resume(Effect.void)
    })
  ),
  time("other peer calls: peerRequest (in flight +1/-1)", () => Metrics.peerRequest(Effect.void))
]
const base = rows[0]!.ns
for (const row of rows)
  console.log(`${row.label.padEnd(52)} ${row.ns.toFixed(0).padStart(5)} ns  (+${(row.ns - base).toFixed(0)} ns)`)
