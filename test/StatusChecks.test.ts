import { assert, describe, it } from "@effect/vitest"
import {
  Cause,
  Chunk,
  Clock,
  Deferred,
  Effect,
  Exit,
  Fiber,
  Logger,
  LogLevel,
  Option,
  Redacted,
  Stream,
  TestClock
} from "effect"
import { Connections } from "../src/Connections.js"
import type { Connection } from "../src/Domain/Connection.js"
import * as Token from "../src/Domain/Token.js"
import { LastKnown } from "../src/LastKnown.js"
import { PeerClient } from "../src/Peer/Client.js"
import { StatusChecks } from "../src/StatusChecks.js"
import { Watcher } from "../src/Watcher.js"
import { SqlTest } from "./utils/Db.js"
import * as FakeSite from "./utils/FakeSite.js"
import * as Logs from "./utils/Logs.js"
import { assertNoSeveringSecret, receiver, severingSenders, watcherLayer } from "./utils/Watcher.js"

const TOKEN = "status-checks-token"

// the app's services over the last-known service kept in memory (LastKnown.Test), the real registry and transport
const layer = (config: Record<string, string> = {}) => watcherLayer(config, SqlTest, { lastKnown: LastKnown.Test })

const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) => Effect.map(Stream.runCollect(stream), Chunk.toArray)
const checkAll = (receivers: ReadonlyArray<Connection>) =>
  Effect.flatMap(StatusChecks, (checks) =>
    Effect.forEach(receivers, (r) => checks.checkReceiver(r), { concurrency: "unbounded" })
  )

// a receiver whose remote never answers, and `n` checks of it forked, once its request arrived
const hangingChecks = (n: number) =>
  Effect.gen(function* () {
    const site = yield* FakeSite.make(FakeSite.hang)
    const connection = yield* receiver(site.url, TOKEN)
    const checks = yield* StatusChecks
    const fibers = yield* Effect.forEach(Array.from({ length: n }), () => Effect.fork(checks.checkReceiver(connection)))
    yield* Deferred.await(site.received)
    return { site, fibers }
  })

const captureLogs = Effect.sync(() => Logs.captureLogs(Logs.rendered))

describe("StatusChecks.checkReceiver", () => {
  it.live("maps each remote answer to a sender status, recorded as the last known", () =>
    Effect.gen(function* () {
      // t0 hangs; t1 to t4 answer active, not found, a status of no meaning, 500; t5 is a closed port
      const [slow, ...others] = yield* Effect.forEach(
        [
          FakeSite.hang,
          FakeSite.json(200, { success: true, status: "active", name: "n" }),
          FakeSite.json(200, { success: false, error: "Connection not found" }),
          FakeSite.json(200, { success: true, status: "frozen" }),
          FakeSite.json(500, { success: false })
        ],
        (answer) => FakeSite.make(answer)
      )
      const port = yield* FakeSite.closedPort
      const urls = [slow!.url, ...others.map((site) => site.url), `http://127.0.0.1:${port}`]
      const receivers = yield* Effect.forEach(urls, (url, i) => receiver(url, `t${i}`))
      const [hanging, ...answered] = receivers
      const waiting = yield* Effect.fork(checkAll([hanging!]))
      const { lines, layer: logs } = yield* captureLogs
      const results = yield* checkAll(answered).pipe(Effect.provide(logs), Logger.withMinimumLogLevel(LogLevel.Debug))
      // a failed check is logged at debug level, never with its token or hash (A5)
      assert.isAbove(lines.filter((line) => line.includes("peer call failed")).length, 0)
      const hashes = ["t1", "t2", "t3", "t4", "t5"].map((t) => Redacted.value(Token.hash(Redacted.make(t))))
      for (const line of lines) for (const secret of hashes) assert.notInclude(line, secret)
      const byUuid = new Map(results.map((r) => [r.connectionUuid as string, r]))
      const known = yield* LastKnown
      for (const r of results) assert.strictEqual(known.status(r.connectionUuid), r, "recorded as it is")
      const summary = answered.map((c) => {
        const r = byUuid.get(c.uuid)
        return [r?.status, r?.reason, r?.remoteStatus]
      })
      assert.deepStrictEqual(summary, [
        ["active", null, "active"],
        ["not_found", "not_found", null],
        ["error", "unknown_status", "frozen"],
        ["error", "http_500", null],
        ["offline", "refused", null]
      ])
      for (const r of results) assert.isAtLeast(r.durationMs, 0)
      // leaving the hanging check closes its request, not left running
      yield* Fiber.interrupt(waiting)
      const outcome = yield* Deferred.await(slow!.closed)
      assert.isFalse(outcome.completed)
    }).pipe(Effect.scoped, Effect.provide(layer()))
  )

  it.live("interrupting the consumer closes every in-flight request", () =>
    Effect.gen(function* () {
      const a = yield* FakeSite.make(FakeSite.hang)
      const b = yield* FakeSite.make(FakeSite.hang)
      const receivers = yield* Effect.all([receiver(a.url, "ta"), receiver(b.url, "tb")])
      const checks = yield* StatusChecks
      const fiber = yield* Effect.fork(checkAll(receivers))
      yield* Deferred.await(a.received)
      yield* Deferred.await(b.received)
      yield* Fiber.interrupt(fiber)
      // both remotes see their request's socket closed, cut off before any answer
      const outcomes = yield* Effect.all([Deferred.await(a.closed), Deferred.await(b.closed)])
      assert.deepStrictEqual(
        outcomes.map((o) => o.completed),
        [false, false]
      )
      // nothing was left in flight: the next check asks the remote again instead of joining a dead request
      const again = yield* Effect.fork(checks.checkReceiver(receivers[0]!))
      while ((yield* a.requests).length < 2) yield* Effect.promise(() => new Promise((r) => setImmediate(r)))
      yield* Fiber.interrupt(again)
    }).pipe(Effect.scoped, Effect.provide(layer()))
  )

  it.effect("a remote that never answers is offline (timeout) exactly at PEER_TIMEOUT_MS", () =>
    Effect.gen(function* () {
      const {
        fibers: [fiber]
      } = yield* hangingChecks(1)
      yield* TestClock.adjust("4999 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)), "still pending 1 ms before the deadline")
      yield* TestClock.adjust("1 millis")
      const result = yield* Fiber.join(fiber)
      assert.strictEqual(result.status, "offline")
      assert.strictEqual(result.reason, "timeout")
      assert.strictEqual(result.durationMs, 5000)
    }).pipe(Effect.scoped, Effect.provide(layer({ PEER_TIMEOUT_MS: "5000" })))
  )

  it.effect("concurrent checks of one connection share a single request", () =>
    Effect.gen(function* () {
      const {
        site,
        fibers: [first, second]
      } = yield* hangingChecks(2)
      yield* Effect.yieldNow()
      yield* TestClock.adjust("30 seconds")
      const [one, two] = yield* Effect.all([Fiber.join(first), Fiber.join(second)])
      assert.strictEqual(one.status, "offline")
      assert.strictEqual(two, one, "both callers got the one shared result")
      assert.strictEqual((yield* site.requests).length, 1)
    }).pipe(Effect.scoped, Effect.provide(layer()))
  )

  it.effect("one caller leaving does not cancel the request another caller still waits for", () =>
    Effect.gen(function* () {
      const {
        site,
        fibers: [leaving, staying]
      } = yield* hangingChecks(2)
      yield* Fiber.interrupt(leaving)
      assert.isTrue(Option.isNone(yield* Deferred.poll(site.closed)), "request still open for the other caller")
      yield* TestClock.adjust("30 seconds")
      assert.strictEqual((yield* Fiber.join(staying)).reason, "timeout")
      assert.strictEqual((yield* site.requests).length, 1)
    }).pipe(Effect.scoped, Effect.provide(layer()))
  )

  it.effect(
    "a result younger than the asked age is served from memory, with its own checkedAt; older is asked again",
    () =>
      Effect.gen(function* () {
        const site = yield* FakeSite.make(FakeSite.json(200, { success: true, status: "active", name: "n" }))
        const connection = yield* receiver(site.url, TOKEN)
        const checks = yield* StatusChecks
        const first = yield* checks.checkReceiver(connection)
        yield* TestClock.adjust("29999 millis")
        const young = yield* checks.checkReceiver(connection, {
          maxAgeMillis: 30_000,
          now: yield* Clock.currentTimeMillis
        })
        assert.strictEqual(young, first, "served as it is")
        assert.strictEqual((yield* site.requests).length, 1)
        yield* TestClock.adjust("1 millis")
        const old = yield* checks.checkReceiver(connection, {
          maxAgeMillis: 30_000,
          now: yield* Clock.currentTimeMillis
        })
        assert.notStrictEqual(old, first)
        assert.strictEqual((yield* site.requests).length, 2)
      }).pipe(Effect.scoped, Effect.provide(layer()))
  )
})

describe("Watcher.senderStatuses", () => {
  it.live("CHECK_CONCURRENCY bounds the requests in flight", () =>
    Effect.gen(function* () {
      const site = yield* FakeSite.make(FakeSite.hang)
      yield* Effect.forEach([1, 2, 3, 4, 5], (i) => receiver(`${site.url}/r${i}`, `t${i}`))
      const watcher = yield* Watcher
      const fiber = yield* Effect.fork(watcher.senderStatuses())
      yield* Deferred.await(site.received)
      // give the other checks every chance to start: more event-loop turns with real sockets
      yield* Effect.repeatN(
        Effect.promise(() => new Promise((resolve) => setImmediate(resolve))),
        50
      )
      assert.strictEqual((yield* site.requests).length, 2)
      yield* Fiber.interrupt(fiber)
    }).pipe(Effect.scoped, Effect.provide(watcherLayer({ CHECK_CONCURRENCY: "2" })))
  )
})

describe("StatusChecks.verifySender", () => {
  it.live("reports each remote answer, not_found included; the severed rule is the watcher's (cases 60, 63)", () =>
    Effect.gen(function* () {
      const { lines, layer: logs } = yield* captureLogs
      const { senders } = yield* severingSenders
      const connections = yield* Connections
      const checks = yield* StatusChecks
      const seenAtEmit: Array<string> = []
      const results = yield* Effect.forEach(senders, (sender) =>
        checks.verifySender(sender).pipe(
          Effect.map(({ verification }) => verification),
          Effect.tap((v) =>
            v.outcome === "not_found"
              ? Effect.map(connections.get(v.connectionUuid), (row) => seenAtEmit.push(row.status))
              : Effect.void
          )
        )
      ).pipe(Effect.provide(logs))
      const byUuid = new Map(results.map((r) => [r.connectionUuid as string, [r.outcome, r.suspended, r.reason]]))
      assert.deepStrictEqual(
        senders.map((s) => byUuid.get(s.uuid)),
        [
          ["exists", false, null],
          ["not_found", false, "not_found"],
          ["error", false, "no_route"],
          ["error", false, "http_503"],
          ["offline", false, "refused"]
        ]
      )
      assert.deepStrictEqual(seenAtEmit, ["active"], "a single check suspends nothing")
      for (const sender of senders) {
        assert.strictEqual((yield* connections.get(sender.uuid)).status, "active")
      }
      const warnings = lines.filter((l) => l.startsWith("WARN"))
      assert.strictEqual(warnings.filter((l) => l.includes("Verify returned not_found")).length, 1)
      assert.strictEqual(warnings.filter((l) => l.includes("Verify failed")).length, 2)
      assert.strictEqual(lines.filter((l) => l.startsWith("DEBUG") && l.includes("offline during verify")).length, 1)
      assertNoSeveringSecret(lines)
    }).pipe(Effect.scoped, Effect.provide(layer()), Logger.withMinimumLogLevel(LogLevel.Debug))
  )

  it.live("askers sharing one verification get one result and its line once, whoever asked first", () =>
    Effect.gen(function* () {
      const { lines, layer: logs } = yield* captureLogs
      const { senders } = yield* severingSenders
      const checks = yield* StatusChecks
      // the sender whose remote answers "no such connection", asked by five at once: one request, one result
      const notFound = senders[1]!
      const results = yield* Effect.forEach(Array.from({ length: 5 }), () => checks.verifySender(notFound), {
        concurrency: "unbounded"
      }).pipe(Effect.provide(logs))
      assert.strictEqual(new Set(results.map((r) => r.verification)).size, 1)
      assert.strictEqual(results[0]!.verification.outcome, "not_found")
      assert.strictEqual(lines.filter((l) => l.includes("Verify returned not_found")).length, 1)
    }).pipe(Effect.scoped, Effect.provide(layer()), Logger.withMinimumLogLevel(LogLevel.Debug))
  )
})

describe("a check that dies", () => {
  // a PeerClient whose checks die (PeerClient.Test) among the app's services and the real registry: what a defect
  // deep in a check looks like; the watcher that runs the rounds is built on the same dying checks
  const dyingLayer = watcherLayer({}, SqlTest, {
    lastKnown: LastKnown.Test,
    peerClient: PeerClient.Test(Exit.die(new Error("boom in a check")))
  })
  const died = <A, E>(exit: Exit.Exit<A, E>) =>
    Exit.isFailure(exit) && Cause.isDie(exit.cause) && String(Cause.squash(exit.cause)).includes("boom in a check")

  it.effect("ends senderStatuses and every kind of round with its cause, and is logged", () =>
    Effect.gen(function* () {
      const { lines, layer: logs } = yield* captureLogs
      const receivers = yield* Effect.all([
        receiver("http://127.0.0.1:9/a", "d1"),
        receiver("http://127.0.0.1:9/b", "d2")
      ])
      assert.lengthOf(receivers, 2)
      const watcher = yield* Watcher
      const exits = yield* Effect.all([
        Effect.exit(watcher.senderStatuses()),
        Effect.exit(collect(watcher.statusEvents())),
        Effect.exit(collect(watcher.statusEvents(5))),
        Effect.exit(collect(watcher.statusRounds(5)))
      ]).pipe(Effect.provide(logs))
      assert.deepStrictEqual(
        exits.map((exit) => died(exit as Exit.Exit<unknown, unknown>)),
        [true, true, true, true]
      )
      assert.strictEqual(lines.filter((line) => line.includes("A status check died")).length, 4)
    }).pipe(Effect.scoped, Effect.provide(dyingLayer))
  )
})
