import { assert, describe, it } from "@effect/vitest"
import { Equal, Hash } from "effect"
import type { ConnectionUuid } from "../../src/Domain/Connection.js"
import { SenderStatusFetched, senderStatusFetched } from "../../src/Domain/Events.js"

const fields = {
  connectionUuid: "0190c2a4-5b7e-7c3d-8e9f-0a1b2c3d4e5f" as ConnectionUuid,
  checkedAt: 1_780_000_000_000,
  durationMs: 12.5,
  status: "offline",
  remoteStatus: null,
  reason: "timeout",
  detail: "no answer within 30000 ms"
} as const

describe("senderStatusFetched", () => {
  it("builds the value the class constructor builds", () => {
    const built = senderStatusFetched(fields)
    const constructed = new SenderStatusFetched(fields)
    assert.instanceOf(built, SenderStatusFetched)
    assert.strictEqual(built._tag, "SenderStatusFetched")
    assert.isTrue(Equal.equals(built, constructed))
    assert.isTrue(Equal.equals(constructed, built))
    assert.strictEqual(Hash.hash(built), Hash.hash(constructed))
    assert.deepStrictEqual(Object.keys(built), Object.keys(constructed))
    assert.deepStrictEqual({ ...built }, { ...constructed })
    assert.strictEqual(JSON.stringify(built), JSON.stringify(constructed))
  })

  it("tells values apart that differ in one field", () => {
    const built = senderStatusFetched(fields)
    for (const changed of [
      { ...fields, status: "active", reason: null },
      { ...fields, durationMs: 12.6 },
      { ...fields, checkedAt: 1_780_000_000_001 },
      { ...fields, detail: null }
    ] as const) {
      assert.isFalse(Equal.equals(built, new SenderStatusFetched(changed)))
      assert.isFalse(Equal.equals(built, senderStatusFetched(changed)))
    }
    assert.isFalse(Equal.equals(built, { ...built }))
  })
})
