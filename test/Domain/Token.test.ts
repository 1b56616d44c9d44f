import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import * as Token from "../../src/Domain/Token.js"

describe("Token", () => {
  it("hashes as lowercase hex SHA-256 (case 1)", () => {
    assert.strictEqual(
      Redacted.value(Token.hash(Redacted.make("test-token-123"))),
      "19b6b086eebb807f54e6327309dec0ff347a6c3c30bf3bb396f167513eba3475"
    )
    assert.strictEqual(
      Redacted.value(Token.hash(Redacted.make("my-secret-token"))),
      "ea5add57437cbf20af59034d7ed17968dcc56767b41965fcc5b376d45db8b4a3"
    )
  })

  it.effect("generates 43-character URL-safe base64 tokens without padding, all distinct (case 2)", () =>
    Effect.gen(function* () {
      const tokens = yield* Effect.all(Array.from({ length: 10 }, () => Token.generate))
      for (const token of tokens) assert.match(Redacted.value(token), /^[A-Za-z0-9_-]{43}$/)
      assert.strictEqual(new Set(tokens.map(Redacted.value)).size, 10)
    })
  )

  it("never shows the token or its hash when printed", () => {
    const token = Redacted.make("test-token-123")
    const printed = `${String(token)} ${JSON.stringify({ hash: Token.hash(token) })}`
    assert.notInclude(printed, "test-token-123")
    assert.notInclude(printed, "19b6b086")
  })
})
