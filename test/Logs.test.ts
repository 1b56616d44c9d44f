import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, TestClock } from "effect"
import { clip, SafeLogsLive } from "../src/Logs.js"
import { post, S } from "./Peer/SyncApi.js"
import { startSite } from "./utils/App.js"
import { captureLogs, logfmt } from "./utils/Logs.js"

describe("safe logs", () => {
  it("clip cuts a value past its limit and escapes control characters", () => {
    assert.strictEqual(clip("abc", 200), "abc")
    assert.strictEqual(clip("a\nb\r\tc\u0000", 200), "a\\nb\\r\\tc\\u0000")
    const long = clip("x".repeat(65_000), 200)
    assert.strictEqual(long, `${"x".repeat(200)}…(64800 more chars)`)
  })

  it.live("a 65 KB caller value with a newline is cut and escaped in the sync API's log line", () => {
    const { lines, layer } = captureLogs(logfmt)
    return Effect.gen(function* () {
      const site = yield* startSite({ LOG_LEVEL: "debug" })
      const receiverUrl = `${S}/${"a".repeat(65_000)}\ntimestamp=forged level=ERROR message="forged"`
      yield* post(site, "get-connection-status", { receiver_url: receiverUrl, auth_token_hash: "c".repeat(64) })
      const line = lines.find((l) => l.includes("Sender status queried"))
      assert.isDefined(line)
      assert.isBelow(line!.length, 1_000)
      assert.include(line, "more chars)")
      assert.isFalse(
        lines.some((l) => l.includes("forged")),
        "the tail, newline and all, was cut off"
      )
      assert.isFalse(lines.some((l) => l.includes("\n")))
    }).pipe(Effect.scoped, Effect.provide(layer))
  })

  it.live("a newline inside the limit is escaped, not a new line", () => {
    const { lines, layer } = captureLogs(logfmt)
    return Effect.gen(function* () {
      const site = yield* startSite({ LOG_LEVEL: "debug" })
      yield* post(site, "get-connection-status", {
        receiver_url: `${S}\nlevel=ERROR message=forged`,
        auth_token_hash: "c".repeat(64)
      })
      const line = lines.find((l) => l.includes("Sender status queried"))
      assert.include(line, "\\\\nlevel=ERROR")
      assert.isFalse(lines.some((l) => l.startsWith("level=ERROR")))
    }).pipe(Effect.scoped, Effect.provide(layer))
  })

  it.scoped("at info, the sync API logs one count a minute, not a line a request", () => {
    const { lines, layer } = captureLogs(logfmt)
    return Effect.gen(function* () {
      const site = yield* startSite({ LOG_LEVEL: "info" })
      for (let i = 0; i < 3; i++) {
        yield* post(site, "get-connection-status", { receiver_url: S, auth_token_hash: "c".repeat(64) })
      }
      yield* post(site, "verify-connection", {})
      assert.isFalse(lines.some((l) => l.includes("Sender status queried")))
      assert.isFalse(lines.some((l) => l.includes("requests in the last minute")))
      yield* TestClock.adjust("1 minute")
      const summary = lines.filter((l) => l.includes("Sync API requests in the last minute"))
      assert.lengthOf(summary, 1)
      assert.include(summary[0], "total=4")
      assert.include(summary[0], "get-connection-status.404=3")
      assert.include(summary[0], "verify-connection.400=1")
      // a quiet minute logs nothing
      yield* TestClock.adjust("1 minute")
      assert.lengthOf(
        lines.filter((l) => l.includes("Sync API requests in the last minute")),
        1
      )
    }).pipe(Effect.provide(layer))
  })

  it.effect(
    "a cause is clipped too: a 65 KB host name in an error's message, failure or defect, its stack kept",
    () => {
      const { lines, layer } = captureLogs(logfmt)
      const host = `${"h".repeat(65_000)}.example.com`
      return Effect.gen(function* () {
        yield* Effect.logError("lookup failed", Cause.fail(new Error(`getaddrinfo ENOTFOUND ${host}`)))
        yield* Effect.logError("lookup died", Cause.die(new TypeError(`bad host ${host}\nlevel=ERROR forged`)))
        yield* Effect.logError("a string", Cause.fail(host))
        assert.lengthOf(lines, 3)
        for (const line of lines) {
          assert.isBelow(line.length, 3_000, line.slice(0, 300))
          assert.include(line, "more chars)")
          assert.notInclude(line, "forged")
        }
        assert.include(lines[0], "getaddrinfo ENOTFOUND hhh")
        assert.include(lines[1], "TypeError: bad host hhh")
        assert.include(lines[1], "Logs.test.ts", "the stack is kept")
      }).pipe(Effect.provide(SafeLogsLive), Effect.provide(layer))
    }
  )
})
