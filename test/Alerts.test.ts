import { assert, describe, it } from "@effect/vitest"
import { Cause, Chunk, Effect, Exit, Layer, Metric, Queue, Stream, TestClock } from "effect"
import { Webhook } from "standardwebhooks"
import { History } from "../src/History.js"
import { Watcher } from "../src/Watcher.js"
import * as FakeSite from "./utils/FakeSite.js"
import { captureLogs, logfmt } from "./utils/Logs.js"
import { receiver, watcherLayer } from "./utils/Watcher.js"
import * as Receiver from "./utils/WebhookReceiver.js"

// a Standard Webhooks secret (whsec_ + base64) and a raw one: both are accepted as ALERT_WEBHOOK_SECRET
const WHSEC = `whsec_${Buffer.from("a webhook secret of 32 bytes ok!").toString("base64")}`
const RAW = "webhook-secret-for-tests"

const active = FakeSite.json(200, { success: true, status: "active", name: "n" })
const withWebhook = (url: string, secret: string, extra: Record<string, string> = {}) =>
  watcherLayer({ ALERT_WEBHOOK_URL: url, ALERT_WEBHOOK_SECRET: secret, ...extra })

// the TestClock set to the real time: the reference verifier compares webhook-timestamp with Date.now()
const realNow = TestClock.setTime(Date.now())

// syncwatch_alert_deliveries_total{outcome}, as /metrics exports it
const deliveries = (outcome: string) =>
  Effect.map(Metric.snapshot, (pairs) =>
    pairs
      .filter(
        (pair) =>
          pair.metricKey.name === "syncwatch_alert_deliveries_total" &&
          pair.metricKey.tags.some((tag) => tag.key === "outcome" && tag.value === outcome)
      )
      .reduce((sum, pair) => sum + Number((pair.metricState as { count?: number }).count ?? 0), 0)
  )

describe("Standard Webhooks", () => {
  it.scoped("signs each delivery (whsec_ secret), keeps its webhook-id on every retry, backs off with jitter", () =>
    Effect.gen(function* () {
      const hook = yield* Receiver.make(WHSEC, (n) => FakeSite.text(n <= 2 ? 503 : 200, ""))
      // before the services start: a jump of the clock would run every timer of theirs in between
      yield* realNow
      yield* Effect.gen(function* () {
        const remote = yield* FakeSite.make(active)
        const connection = yield* receiver(remote.url, "t1")
        yield* (yield* Watcher).senderStatuses()
        const verifier = new Webhook(WHSEC)

        const first = yield* Queue.take(hook.deliveries)
        assert.deepStrictEqual(Receiver.verify(verifier, first), { ok: true, body: first.body })
        assert.match(first.id, /^msg_/)
        assert.strictEqual(first.body.type, "connection.status_changed")
        assert.deepStrictEqual(first.body.data, {
          host: "127.0.0.1",
          changes: [
            { connectionUuid: connection.uuid, at: first.body.timestamp, from: null, to: "ACTIVE", reason: null }
          ]
        })
        // the first retry comes 0.8 to 1.2 s later (1 s with jitter), the second 1.6 to 2.4 s after it: 2.4 to
        // 3.6 s after the first try, whatever the two jitters were
        yield* TestClock.adjust("799 millis")
        assert.strictEqual(yield* Receiver.nothingMore(hook.deliveries), 0, "no retry before 0.8 s")
        yield* TestClock.adjust("401 millis")
        const second = yield* Queue.take(hook.deliveries)
        yield* TestClock.adjust("1199 millis")
        assert.strictEqual(yield* Receiver.nothingMore(hook.deliveries), 0, "no second retry before 2.4 s in all")
        yield* TestClock.adjust("1201 millis")
        const third = yield* Queue.take(hook.deliveries)
        assert.deepStrictEqual(
          [second, third].map((d) => [d.id, d.rawBody, d.answered]),
          [
            [first.id, first.rawBody, 503],
            [first.id, first.rawBody, 200]
          ],
          "the same id and body on every try"
        )
        assert.isTrue(Receiver.verify(verifier, third).ok)
        assert.isTrue(third.legacyValid, "X-Syncwatch-Signature is still sent")
        yield* TestClock.adjust("10 minutes")
        assert.strictEqual(yield* Receiver.nothingMore(hook.deliveries), 0, "delivered: no more tries")
      }).pipe(Effect.scoped, Effect.provide(withWebhook(hook.url, WHSEC)))
    })
  )

  it.scoped("a raw secret signs too; a delivery older than 5 minutes is refused by the verifier", () =>
    Effect.gen(function* () {
      const hook = yield* Receiver.make(RAW)
      // the delivery is made 6 minutes before the verifier looks at it: a replayed capture
      yield* TestClock.setTime(Date.now() - 6 * 60_000)
      yield* Effect.gen(function* () {
        const remote = yield* FakeSite.make(active)
        yield* receiver(remote.url, "t1")
        yield* (yield* Watcher).senderStatuses()
        const old = yield* Queue.take(hook.deliveries)
        const verifier = new Webhook(RAW, { format: "raw" })
        assert.deepStrictEqual(Receiver.verify(verifier, old), { ok: false, error: "Message timestamp too old" })
        assert.isTrue(old.legacyValid)
        // the same delivery signed now passes: only its age was refused
        yield* realNow
        yield* (yield* History).append(old.body.data.changes[0].connectionUuid, "ACTIVE", "OFFLINE", "refused")
        yield* (yield* History).settle(1)
        const fresh = yield* Queue.take(hook.deliveries)
        assert.isTrue(Receiver.verify(verifier, fresh).ok)
        assert.isFalse(Receiver.verify(new Webhook(WHSEC), fresh).ok, "another secret does not verify it")
      }).pipe(Effect.scoped, Effect.provide(withWebhook(hook.url, RAW)))
    })
  )

  it.scoped("honours a 429's Retry-After, and gives up after 5 tries", () =>
    Effect.gen(function* () {
      const hook = yield* Receiver.make(RAW, (n) =>
        n === 1 ? FakeSite.text(429, "", { "retry-after": "120" }) : FakeSite.text(500, "")
      )
      yield* Effect.gen(function* () {
        const history = yield* History
        const remote = yield* FakeSite.make(active)
        const connection = yield* receiver(remote.url, "t1")
        const failedBefore = yield* deliveries("failed")
        yield* history.append(connection.uuid, "ACTIVE", "OFFLINE", "timeout")
        yield* history.settle(1)
        yield* Queue.take(hook.deliveries)
        yield* TestClock.adjust("119 seconds")
        assert.strictEqual(yield* Receiver.nothingMore(hook.deliveries), 0, "Retry-After: 120 is waited for")
        yield* TestClock.adjust("1 second")
        yield* Queue.take(hook.deliveries)
        for (const upTo of [2400, 4800, 9600]) {
          yield* TestClock.adjust(upTo)
          yield* Queue.take(hook.deliveries)
        }
        yield* TestClock.adjust("1 hour")
        assert.strictEqual(yield* Receiver.nothingMore(hook.deliveries), 0, "5 tries, then none")
        assert.strictEqual((yield* deliveries("failed")) - failedBefore, 1)
      }).pipe(Effect.scoped, Effect.provide(withWebhook(hook.url, RAW)))
    })
  )

  it.scoped("a 410 disables the endpoint until restart: logged once, counted in the metrics", () =>
    Effect.gen(function* () {
      const hook = yield* Receiver.make(RAW, () => FakeSite.text(410, ""))
      const { lines: logged, layer: capture } = captureLogs(logfmt)
      // a receiver's first change, appended and delivered
      const firstDelivered = Effect.gen(function* () {
        const history = yield* History
        const remote = yield* FakeSite.make(active)
        const connection = yield* receiver(remote.url, "t1")
        yield* history.append(connection.uuid, null, "ACTIVE", null)
        yield* history.settle(1)
        yield* Queue.take(hook.deliveries)
        return { history, connection }
      })
      const goneBefore = yield* deliveries("gone")
      const disabledBefore = yield* deliveries("disabled")
      yield* Effect.gen(function* () {
        const { history, connection } = yield* firstDelivered
        yield* TestClock.adjust("1 minute")
        yield* history.append(connection.uuid, "ACTIVE", "OFFLINE", "refused")
        yield* history.settle(1)
        yield* TestClock.adjust("1 hour")
        assert.strictEqual(yield* Receiver.nothingMore(hook.deliveries), 0, "no retry, no later delivery")
      }).pipe(Effect.scoped, Effect.provide(withWebhook(hook.url, RAW)), Effect.provide(capture))
      assert.strictEqual((yield* deliveries("gone")) - goneBefore, 1)
      assert.lengthOf(
        logged.filter((line) => line.includes("410 Gone")),
        1,
        "logged once"
      )
      assert.notInclude(logged.join("\n"), hook.url, "the URL is not logged")
      assert.strictEqual((yield* deliveries("disabled")) - disabledBefore, 1)
      // a restart (a new layer) delivers again
      yield* firstDelivered.pipe(Effect.scoped, Effect.provide(withWebhook(hook.url, RAW)))
    })
  )

  it.scoped("a receiver answering 500 forever never delays a round, and every history row is written", () =>
    Effect.gen(function* () {
      const hook = yield* Receiver.make(RAW, () => FakeSite.text(500, ""))
      yield* Effect.gen(function* () {
        const remote = yield* Receiver.make(RAW, (n) => (n % 2 === 1 ? active : FakeSite.json(503, {})))
        const connection = yield* receiver(remote.url.replace("/hooks/syncwatch", ""), "t1")
        const watcher = yield* Watcher
        // four rounds, each complete without the clock moving: no round waits on a delivery's backoff
        for (let i = 0; i < 4; i++) {
          const events = Chunk.toArray(yield* Stream.runCollect(watcher.statusEvents()))
          assert.deepStrictEqual(
            events.map((e) => e._tag),
            ["SenderStatusFetched", "StatusRoundCompleted"]
          )
        }
        assert.deepStrictEqual(
          (yield* (yield* History).latest(connection.uuid)).map((c) => c.to),
          ["ERROR", "ACTIVE", "ERROR", "ACTIVE"]
        )
        for (let i = 0; i < 4; i++) assert.strictEqual((yield* Queue.take(hook.deliveries)).answered, 500)
      }).pipe(Effect.scoped, Effect.provide(withWebhook(hook.url, RAW)))
    })
  )

  it.effect.each([
    [{ ALERT_WEBHOOK_URL: "ftp://hooks.example.com/x", ALERT_WEBHOOK_SECRET: RAW }, "ALERT_WEBHOOK_URL"],
    [{ ALERT_WEBHOOK_URL: "not a url", ALERT_WEBHOOK_SECRET: RAW }, "ALERT_WEBHOOK_URL"],
    [
      { ALERT_WEBHOOK_URL: "http://10.0.0.8/hook", ALERT_WEBHOOK_SECRET: RAW, ALLOW_INTERNAL_URLS: "false" },
      "ALERT_WEBHOOK_URL"
    ],
    [{ ALERT_WEBHOOK_URL: "https://hooks.example.com/x" }, "ALERT_WEBHOOK_SECRET"],
    [{ ALERT_MASS_PERCENT: "101" }, "ALERT_MASS_PERCENT"],
    [{ ALERT_REPEAT_MINUTES: "-1" }, "ALERT_REPEAT_MINUTES"],
    [{ ALERT_REPEAT_MINUTES: "soon" }, "ALERT_REPEAT_MINUTES"],
    [{ CONFIRM_AFTER: "0" }, "CONFIRM_AFTER"]
  ] as const)("a bad setting stops start-up naming %s", ([config, name]) =>
    Effect.gen(function* () {
      const exit = yield* Layer.build(watcherLayer(config)).pipe(Effect.scoped, Effect.exit)
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit)) assert.include(Cause.pretty(exit.cause), name)
    })
  )
})
