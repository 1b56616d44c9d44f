import { performance } from "node:perf_hooks"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Option, Schema, Stream } from "effect"
import { Connection } from "../src/Domain/Connection.js"
import * as Wire from "../src/Peer/Wire.js"
import { connection } from "../test/Peer/fixtures.js"
import { type BareTarget, bareRun, bareTargets, makeBareAgent, receiver } from "./Checks.js"
import { killAll, startRemote } from "./Children.js"

// tsx bench/ablation.ts [N]: syncwatch's check pipeline rebuilt one ingredient at a time against the bench's
// remote sender, in one process, so each row's cost over the previous one is that ingredient's. Rows marked
// "+" are cumulative; the others stand alone. Wire.readBody is syncwatch's own; the rest mirrors
// src/Peer/Client.ts and src/StatusChecks.ts.

const N = Number(process.argv[2] ?? 10_000)
const CONCURRENCY = 64
process.on("exit", () => killAll())

const StatusAnswer = Schema.parseJson(
  Schema.Union(
    Schema.Struct({ success: Schema.Literal(true), status: Schema.String, name: Schema.optional(Schema.Unknown) }),
    Schema.Struct({ success: Schema.Literal(false) })
  )
)

const time = <A, E, R>(label: string, effect: Effect.Effect<A, E, R>, count = N) =>
  Effect.gen(function* () {
    yield* effect // warm-up
    const runs: Array<number> = []
    for (let i = 0; i < 3; i++) {
      const started = performance.now()
      yield* effect
      runs.push(performance.now() - started)
    }
    const ms = runs.sort((a, b) => a - b)[1]!
    const us = ((ms * 1000) / count).toFixed(1).padStart(7)
    console.log(`${label.padEnd(66)} ${((count / ms) * 1000).toFixed(0).padStart(6)}/s ${us} µs each`)
  })

const main = Effect.gen(function* () {
  const remote = yield* Effect.promise(startRemote)
  const targets = bareTargets(
    Array.from({ length: N }, (_, i) => receiver(remote.origin, i)),
    "http://127.0.0.1:9"
  )
  const agent = makeBareAgent()
  const base = yield* HttpClient.HttpClient
  const scoped = base.pipe(HttpClient.withScope)
  const request = (t: BareTarget) =>
    HttpClientRequest.post(`${t.origin}${t.path}`).pipe(HttpClientRequest.bodyText(t.body, "application/json"))
  const each = <A, E>(f: (t: BareTarget) => Effect.Effect<A, E>) =>
    Effect.forEach(targets, f, { concurrency: CONCURRENCY, discard: true })
  const untraced = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.withTracerEnabled(effect, false)
  const bodyOf = (body: Option.Option<string>) => Option.getOrElse(body, () => "")

  const withTimeout = (t: BareTarget) =>
    scoped.execute(request(t)).pipe(Effect.flatMap(Wire.readBody), Effect.scoped, Effect.timeout(30_000))
  const decoded = (t: BareTarget) =>
    Effect.flatMap(withTimeout(t), (body) => Schema.decodeUnknown(StatusAnswer)(bodyOf(body)))
  const peerLike = Effect.fn("Peer.getConnectionStatus")(decoded)

  console.log(`N = ${N}, concurrency ${CONCURRENCY}, ${process.version}`)
  yield* time(
    "bare undici loop (async/await workers)",
    Effect.promise(() => bareRun(agent, targets, CONCURRENCY, 30_000))
  )
  yield* time(
    "Effect.tryPromise(dispatcher.request + body.text), forEach",
    each((t) =>
      Effect.tryPromise((signal) =>
        agent.request({ ...t, method: "POST", headers: { "content-type": "application/json" }, signal })
      ).pipe(Effect.flatMap((response) => Effect.tryPromise(() => response.body.text())))
    )
  )
  yield* time(
    "  HttpClient (layerUndici) execute + text, tracer off",
    untraced(each((t) => base.execute(request(t)).pipe(Effect.flatMap((r) => r.text))))
  )
  yield* time(
    "+ HttpClient.withScope, Effect.scoped",
    untraced(
      each((t) =>
        scoped.execute(request(t)).pipe(
          Effect.flatMap((r) => r.text),
          Effect.scoped
        )
      )
    )
  )
  yield* time(
    "+ Wire.readBody (response.stream fold) instead of text",
    untraced(each((t) => scoped.execute(request(t)).pipe(Effect.flatMap(Wire.readBody), Effect.scoped)))
  )
  yield* time("+ Effect.timeout per request", untraced(each(withTimeout)))
  yield* time("+ Schema.decodeUnknown(StatusAnswer)", untraced(each(decoded)))
  yield* time("+ Effect.fn span, tracer on (= PeerClient.getConnectionStatus)", each(peerLike))
  yield* time(
    "+ Stream.mapEffect(unordered) + runCollect (= StatusChecks)",
    Stream.fromIterable(targets).pipe(
      Stream.mapEffect(peerLike, { concurrency: CONCURRENCY, unordered: true }),
      Stream.runCollect
    )
  )
  yield* time(
    "  HttpClient execute + text, tracer on (default)",
    each((t) => base.execute(request(t)).pipe(Effect.flatMap((r) => r.text)))
  )
  yield* time(
    "  HttpClient execute + text + Effect.timeout, tracer off",
    untraced(
      each((t) =>
        base.execute(request(t)).pipe(
          Effect.flatMap((r) => r.text),
          Effect.timeout(30_000)
        )
      )
    )
  )
  yield* time(
    "  HttpClient execute + text via Stream.mapEffect(unordered), tracer off",
    untraced(
      Stream.fromIterable(targets).pipe(
        Stream.mapEffect((t) => base.execute(request(t)).pipe(Effect.flatMap((r) => r.text)), {
          concurrency: CONCURRENCY,
          unordered: true
        }),
        Stream.runDrain
      )
    )
  )

  // Repo.toConnection builds every listed row with `new Connection(...)`, which validates it again
  const fields = { ...connection({ siteUrl: "http://127.0.0.1:1/r1" }) }
  const rows = Array.from({ length: N }, () => fields)
  yield* time(
    "  new Connection(row) per listed row (validating constructor)",
    Effect.sync(() => rows.map((row) => new Connection(row)))
  )
  yield* time(
    "  new Connection(row, true) (validation off: the row was just decoded)",
    Effect.sync(() => rows.map((row) => new Connection(row, true)))
  )
  yield* Effect.promise(() => agent.close())
})

Effect.runPromise(main.pipe(Effect.provide(NodeHttpClient.layerUndici))).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  }
)
