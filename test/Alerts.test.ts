import { createHmac, timingSafeEqual } from "node:crypto"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Chunk, Effect, Exit, Layer, Queue, type Scope, Stream, TestClock } from "effect"
import { History } from "../src/History.js"
import { Watcher } from "../src/Watcher.js"
import { turns } from "./utils/Clients.js"
import * as FakeSite from "./utils/FakeSite.js"
import { receiver, watcherLayer } from "./utils/Watcher.js"

const SECRET = "webhook-secret-for-tests"

interface Delivery {
  readonly signatureValid: boolean
  readonly body: Record<string, unknown>
  readonly answered: number
}

// A webhook receiver on 127.0.0.1 (a FakeSite) that checks the signature and fails the first `failures` tries with 503
const webhookReceiver = (
  failures: number
): Effect.Effect<{ url: string; deliveries: Queue.Queue<Delivery> }, never, Scope.Scope> =>
  Effect.gen(function* () {
    const deliveries = yield* Queue.unbounded<Delivery>()
    let tries = 0
    const site = yield* FakeSite.make((request) => {
      const expected = Buffer.from(`sha256=${createHmac("sha256", SECRET).update(request.rawBody).digest("hex")}`)
      const given = Buffer.from(String(request.headers["x-syncwatch-signature"] ?? ""))
      const signatureValid = given.length === expected.length && timingSafeEqual(given, expected)
      const answered = ++tries <= failures ? 503 : 200
      Queue.unsafeOffer(deliveries, { signatureValid, body: JSON.parse(request.rawBody), answered })
      return FakeSite.text(answered, "")
    })
    return { url: `${site.url}/hooks/syncwatch`, deliveries }
  })

const withWebhook = (url: string, extra: Record<string, string> = {}) =>
  watcherLayer({ ALERT_WEBHOOK_URL: url, ALERT_WEBHOOK_SECRET: SECRET, ...extra })

describe("the alert webhook", () => {
  it.scoped("POSTs each change signed, retried with exponential backoff until the receiver takes it", () =>
    Effect.gen(function* () {
      const hook = yield* webhookReceiver(2)
      yield* Effect.gen(function* () {
        const remote = yield* FakeSite.make(FakeSite.json(200, { success: true, status: "active", name: "n" }))
        const connection = yield* receiver(remote.url, "t1")
        const watcher = yield* Watcher
        yield* watcher.senderStatuses()

        const first = yield* Queue.take(hook.deliveries)
        assert.deepStrictEqual(first, {
          signatureValid: true,
          answered: 503,
          body: {
            connectionUuid: connection.uuid,
            at: "1970-01-01T00:00:00.000Z",
            from: null,
            to: "ACTIVE",
            reason: null
          }
        })
        yield* TestClock.adjust("999 millis")
        yield* turns()
        assert.strictEqual(yield* Queue.size(hook.deliveries), 0, "no second try before 1 s")
        yield* TestClock.adjust("1 millis")
        const second = yield* Queue.take(hook.deliveries)
        assert.deepStrictEqual([second.signatureValid, second.answered], [true, 503])
        yield* TestClock.adjust("1999 millis")
        yield* turns()
        assert.strictEqual(yield* Queue.size(hook.deliveries), 0, "no third try before 2 s more")
        yield* TestClock.adjust("1 millis")
        const third = yield* Queue.take(hook.deliveries)
        assert.deepStrictEqual(third, { ...first, answered: 200 })
        // delivered: no more tries
        yield* TestClock.adjust("1 minute")
        yield* turns()
        assert.strictEqual(yield* Queue.size(hook.deliveries), 0)
      }).pipe(Effect.scoped, Effect.provide(withWebhook(hook.url)))
    })
  )

  it.scoped("gives up after 5 tries", () =>
    Effect.gen(function* () {
      const hook = yield* webhookReceiver(100)
      yield* Effect.gen(function* () {
        const history = yield* History
        const remote = yield* FakeSite.make(FakeSite.json(200, { success: true, status: "active", name: "n" }))
        const connection = yield* receiver(remote.url, "t1")
        yield* history.append(connection.uuid, "ACTIVE", "OFFLINE", "timeout")
        for (const wait of [0, 1000, 2000, 4000, 8000]) {
          yield* TestClock.adjust(wait)
          yield* Queue.take(hook.deliveries)
        }
        yield* TestClock.adjust("10 minutes")
        yield* turns()
        assert.strictEqual(yield* Queue.size(hook.deliveries), 0)
      }).pipe(Effect.scoped, Effect.provide(withWebhook(hook.url)))
    })
  )

  it.scopedLive("a webhook target that hangs never delays a round, and the row is written", () =>
    Effect.gen(function* () {
      const hook = yield* FakeSite.make(FakeSite.hang)
      yield* Effect.gen(function* () {
        const remote = yield* FakeSite.make(FakeSite.json(200, { success: true, status: "active", name: "n" }))
        const connection = yield* receiver(remote.url, "t1")
        const watcher = yield* Watcher
        const events = Chunk.toArray(yield* Stream.runCollect(watcher.statusEvents()))
        assert.deepStrictEqual(
          events.map((e) => e._tag),
          ["SenderStatusFetched", "StatusRoundCompleted"]
        )
        const history = yield* History
        assert.deepStrictEqual(
          (yield* history.latest(connection.uuid)).map((c) => c.to),
          ["ACTIVE"]
        )
        const request = yield* hook.received
        assert.strictEqual(request.method, "POST")
        assert.isTrue(String(request.headers["x-syncwatch-signature"]).startsWith("sha256="))
      }).pipe(Effect.scoped, Effect.provide(withWebhook(hook.url)))
    })
  )

  it.effect.each([
    [{ ALERT_WEBHOOK_URL: "ftp://hooks.example.com/x", ALERT_WEBHOOK_SECRET: SECRET }, "ALERT_WEBHOOK_URL"],
    [{ ALERT_WEBHOOK_URL: "not a url", ALERT_WEBHOOK_SECRET: SECRET }, "ALERT_WEBHOOK_URL"],
    [
      { ALERT_WEBHOOK_URL: "http://10.0.0.8/hook", ALERT_WEBHOOK_SECRET: SECRET, ALLOW_INTERNAL_URLS: "false" },
      "ALERT_WEBHOOK_URL"
    ],
    [{ ALERT_WEBHOOK_URL: "https://hooks.example.com/x" }, "ALERT_WEBHOOK_SECRET"]
  ] as const)("a bad webhook setting stops start-up naming %s", ([config, name]) =>
    Effect.gen(function* () {
      const exit = yield* Layer.build(watcherLayer(config)).pipe(Effect.scoped, Effect.exit)
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit)) assert.include(Cause.pretty(exit.cause), name)
    })
  )
})
