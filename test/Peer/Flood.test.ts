import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { graphql, type RunningSite, startSite } from "../utils/App.js"
import { apiUrl, storedRows } from "./SyncApi.js"

// The open sync API under a flood from one address: token buckets answer 429 before any work, the
// pending registrations stay capped, and /health keeps answering.

interface Answer {
  readonly status: number
  readonly retryAfter: string | null
  readonly body: Record<string, unknown>
}

const call = (site: RunningSite, endpoint: string, body?: unknown, headers: Record<string, string> = {}) =>
  Effect.promise(async (): Promise<Answer> => {
    const response = await fetch(apiUrl(site, endpoint), {
      method: body === undefined ? "GET" : "POST",
      headers: { "content-type": "application/json", accept: "application/json", ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    return {
      status: response.status,
      retryAfter: response.headers.get("retry-after"),
      body: (await response.json()) as Record<string, unknown>
    }
  })

const registration = (i: number) => ({
  sender_url: `https://flood-${i}.example.com`,
  connection_name: `Flood ${i}`,
  auth_token: `token-${i}`
})

const health = (site: RunningSite) =>
  Effect.promise(() => fetch(`${site.siteUrl}/health`).then((response) => response.status))

const count = (answers: ReadonlyArray<Answer>, status: number) => answers.filter((a) => a.status === status).length

describe("rate limits on the sync API", () => {
  it.live(
    "a registration flood with the defaults: a bucket of 30 passes, the rest get 429 with Retry-After, /health answers",
    () =>
      Effect.gen(function* () {
        const site = yield* startSite()
        const [answers, during] = yield* Effect.all(
          [
            Effect.forEach(Array.from({ length: 200 }), (_, i) => call(site, "register-connection", registration(i)), {
              concurrency: 50
            }),
            Effect.forEach(Array.from({ length: 5 }), () => health(site), { concurrency: 1 })
          ],
          { concurrency: 2 }
        )
        // a full bucket of 30, plus one token per 2 s of the flood's own duration
        const passed = count(answers, 200)
        assert.isAtLeast(passed, 30)
        assert.isAtMost(passed, 40)
        assert.strictEqual(count(answers, 429), 200 - passed)
        const limited = answers.find((a) => a.status === 429)!
        assert.isAtLeast(Number(limited.retryAfter), 1)
        assert.deepInclude(limited.body, { success: false, error: "Too many requests" })
        assert.deepStrictEqual(during, [200, 200, 200, 200, 200])
        assert.lengthOf(yield* storedRows(site), passed)
      }).pipe(Effect.scoped)
  )

  it.live("REGISTER_RATE_LIMIT and MAX_PENDING_REGISTRATIONS at their edges", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ REGISTER_RATE_LIMIT: "7", MAX_PENDING_REGISTRATIONS: "3" })
      const register = (from: number, to: number) =>
        Effect.forEach(Array.from({ length: to - from }), (_, i) =>
          call(site, "register-connection", registration(from + i))
        )
      const before = yield* register(0, 4)
      assert.deepStrictEqual(
        before.map((a) => a.status),
        [200, 200, 200, 503]
      )
      assert.deepStrictEqual(before[3]!.body, {
        success: false,
        error: "Too many pending registrations; try again later"
      })
      // the cap counts pending receivers only: an admin approving one makes room for one more
      const [first] = yield* storedRows(site)
      yield* graphql(
        site.graphqlUrl,
        `mutation { updateConnectionStatus(uuid: "${first!.uuid}", status: ACTIVE) { connection { status } } }`
      )
      const after = yield* register(4, 8)
      assert.deepStrictEqual(
        after.map((a) => a.status),
        [200, 503, 503, 429]
      )
      const statuses = (yield* storedRows(site)).map((row) => row.status).sort()
      assert.deepStrictEqual(statuses, ["active", "pending", "pending", "pending"])
    }).pipe(Effect.scoped)
  )

  it.live("SYNC_RATE_LIMIT covers every endpoint per address; TRUST_PROXY keys it by X-Forwarded-For", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ SYNC_RATE_LIMIT: "4", TRUST_PROXY: "true" })
      const from = (address: string) => ({ "x-forwarded-for": address })
      const first = yield* Effect.forEach(Array.from({ length: 4 }), (_, i) =>
        i % 2 === 0
          ? call(site, "status", undefined, from("203.0.113.7"))
          : call(
              site,
              "verify-connection",
              { sender_url: "https://x.example.com", auth_token_hash: "c".repeat(64) },
              from("203.0.113.7")
            )
      )
      assert.deepStrictEqual(
        first.map((a) => a.status),
        [200, 404, 200, 404]
      )
      const fifth = yield* call(site, "status", undefined, from("203.0.113.7"))
      assert.strictEqual(fifth.status, 429)
      // 4 a minute: the next token in 15 s
      assert.strictEqual(fifth.retryAfter, "15")
      assert.strictEqual((yield* call(site, "status", undefined, from("203.0.113.8"))).status, 200)
      assert.strictEqual(yield* health(site), 200)
    }).pipe(Effect.scoped)
  )
})
