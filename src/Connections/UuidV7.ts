import { randomBytes } from "node:crypto"
import { Clock, Effect } from "effect"
import type { ConnectionUuid } from "../Domain/Connection.js"

// RFC 9562 UUIDv7: 48-bit Unix milliseconds from the Clock (TestClock-driven in tests), then random bits.
// rand_a is a counter seeded at random for each new millisecond, so ids made by one generator sort in
// creation order even while the clock stands still.
export const makeGenerator = Effect.sync(() => {
  let lastMillis = -1
  let counter = 0
  return Effect.gen(function* () {
    let millis = yield* Clock.currentTimeMillis
    if (millis > lastMillis) {
      lastMillis = millis
      counter = randomBytes(2).readUInt16BE() & 0x3ff
    } else if (counter < 0xfff) {
      millis = lastMillis
      counter += 1
    } else {
      millis = ++lastMillis
      counter = 0
    }
    return format(millis, counter, randomBytes(8))
  })
})

const format = (millis: number, counter: number, random: Uint8Array): ConnectionUuid => {
  const bytes = new Uint8Array(16)
  for (let i = 0; i < 6; i++) bytes[i] = Math.floor(millis / 2 ** (8 * (5 - i))) % 256
  bytes[6] = 0x70 | (counter >> 8)
  bytes[7] = counter & 0xff
  bytes.set(random, 8)
  bytes[8] = 0x80 | (bytes[8]! & 0x3f)
  const hex = Buffer.from(bytes).toString("hex")
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` as ConnectionUuid
}
