import * as Net from "node:net"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Deferred, Effect, Either, Exit, Fiber, Runtime, type Scope, TestClock } from "effect"
import * as Outbox from "../../src/graphql/Outbox.js"
import { within } from "../utils/Clients.js"

const MAX = 65_536
const CHUNK = Buffer.alloc(16_384, "x")
// one subscription's prefix: frames with the same head and key replace each other
const HEAD = Buffer.from("")

interface Pair {
  readonly server: Net.Socket
  readonly client: Net.Socket
}

// a real loopback connection: what the server writes, the client may read or not
const pair: Effect.Effect<Pair, never, Scope.Scope> = Effect.acquireRelease(
  Effect.async<Pair>((resume) => {
    const listener = Net.createServer((server) => {
      listener.close()
      resume(Effect.succeed({ server, client }))
    })
    let client: Net.Socket
    listener.listen(0, "127.0.0.1", () => {
      client = Net.connect((listener.address() as Net.AddressInfo).port, "127.0.0.1")
      client.pause()
    })
  }),
  ({ server, client }) =>
    Effect.sync(() => {
      server.destroy()
      client.destroy()
    })
)

const outbox = (socket: Net.Socket) =>
  Effect.gen(function* () {
    const runtime = yield* Effect.runtime<never>()
    const gaveUp = yield* Deferred.make<void>()
    const box = Outbox.make({
      socket,
      maxBytes: MAX,
      frames: Outbox.plainFrames,
      after: (millis, run) => {
        const fiber = Runtime.runFork(runtime)(Effect.sleep(millis).pipe(Effect.andThen(Effect.sync(run))))
        return () => Runtime.runFork(runtime)(Fiber.interrupt(fiber))
      },
      giveUp: () => Deferred.unsafeDone(gaveUp, Exit.void)
    })
    return { box, gaveUp }
  })

// the server's socket is over the bound once the kernel's buffers are full and node holds the rest
const fill = (socket: Net.Socket) =>
  Effect.promise(async () => {
    while (socket.writableLength <= MAX) {
      socket.write(CHUNK)
      await new Promise((resolve) => setImmediate(resolve))
    }
  })

// the outbox's flush runs on the next turn of the event loop: wait for what it writes, not for turns
const received = (socket: Net.Socket, bytes: number) =>
  Effect.async<Buffer>((resume) => {
    const chunks: Array<Buffer> = []
    let total = 0
    const onData = (data: Buffer) => {
      chunks.push(data)
      total += data.length
      if (total >= bytes) {
        socket.off("data", onData)
        resume(Effect.succeed(Buffer.concat(chunks)))
      }
    }
    socket.on("data", onData)
    socket.resume()
  })

describe("a socket's outbox", () => {
  it.scoped("sends what a tick produced in one write", () =>
    Effect.gen(function* () {
      const { server, client } = yield* pair
      const { box } = yield* outbox(server)
      const writes: Array<number> = []
      const write = server.write.bind(server)
      server.write = ((chunk: Buffer) => {
        writes.push(chunk.length)
        return write(chunk)
      }) as typeof server.write
      for (let i = 0; i < 100; i++) box.push(HEAD, Buffer.from(`${i};`), undefined, `k${i}`)
      const bytes = yield* received(client, 290).pipe(within("the frames"))
      assert.strictEqual(bytes.toString().split(";")[99], "99")
      assert.deepStrictEqual(writes, [290])
    })
  )

  it.scoped("WebSocket frames of every length class; a large body is written as it is, shared, not copied", () =>
    Effect.gen(function* () {
      const { server, client } = yield* pair
      const runtime = yield* Effect.runtime<never>()
      const box = Outbox.make({
        socket: server,
        maxBytes: 4 * 1024 * 1024,
        frames: Outbox.webSocketFrames,
        after: (millis, run) => {
          const fiber = Runtime.runFork(runtime)(Effect.sleep(millis).pipe(Effect.andThen(Effect.sync(run))))
          return () => Runtime.runFork(runtime)(Fiber.interrupt(fiber))
        },
        giveUp: () => {}
      })
      const written: Array<Buffer> = []
      const write = server.write.bind(server)
      server.write = ((chunk: Buffer) => {
        written.push(chunk)
        return write(chunk)
      }) as typeof server.write
      const head = Buffer.from('{"id":"1","payload":')
      const sizes = [10, 125 - head.length - 1, 200, 65_535 - head.length - 1, 70_000]
      const bodies = sizes.map((size, i) => Buffer.alloc(size, 97 + i))
      for (const body of bodies) box.push(head, body, Outbox.closeBrace)
      const expected = bodies.map((body) => Buffer.concat([head, body, Outbox.closeBrace]))
      const total = expected.reduce(
        (sum, frame) => sum + frame.length + (frame.length < 126 ? 2 : frame.length < 65_536 ? 4 : 10),
        0
      )
      const bytes = yield* received(client, total).pipe(within("the frames"))
      // RFC 6455 5.2: FIN + text, then a 7-bit, 16-bit or 64-bit length, unmasked
      let at = 0
      for (const frame of expected) {
        assert.strictEqual(bytes[at], 0x81)
        const short = bytes[at + 1]!
        const length =
          short < 126 ? short : short === 126 ? bytes.readUInt16BE(at + 2) : Number(bytes.readBigUInt64BE(at + 2))
        at += short < 126 ? 2 : short === 126 ? 4 : 10
        assert.strictEqual(length, frame.length)
        assert.isTrue(bytes.subarray(at, at + length).equals(frame))
        at += length
      }
      assert.strictEqual(at, bytes.length)
      assert.isTrue(written.includes(bodies[3]!) && written.includes(bodies[4]!), "the large bodies themselves")
      assert.isFalse(written.includes(bodies[0]!), "a small one is copied into the tick's buffer")
    })
  )

  it.scoped("a reader that never reads: newer results replace older ones per key, the rest is dropped", () =>
    Effect.gen(function* () {
      const { server } = yield* pair
      const { box, gaveUp } = yield* outbox(server)
      yield* fill(server)
      const held = server.writableLength
      // the same ten connections, a hundred times over: what waits stays at ten frames
      for (let round = 0; round < 100; round++)
        for (let key = 0; key < 10; key++) box.push(HEAD, CHUNK.subarray(0, 1000), undefined, `c${key}`)
      yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
      assert.strictEqual(server.writableLength, held)
      assert.isFalse(yield* Deferred.isDone(gaveUp))
      // results without a key cannot be replaced: past the bound the reader is given up on
      for (let i = 0; i < 5; i++) box.push(CHUNK)
      assert.isTrue(yield* Deferred.isDone(gaveUp))
    })
  )

  it.scoped("a reader that reads a byte a second is given up on once it has not drained for STALL_MILLIS", () =>
    Effect.gen(function* () {
      const { server, client } = yield* pair
      const { box, gaveUp } = yield* outbox(server)
      yield* fill(server)
      box.push(HEAD, Buffer.from("one more"), undefined, "c0")
      yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
      for (let second = 1; second < Outbox.STALL_MILLIS / 1000; second++) {
        client.read(1)
        yield* TestClock.adjust("1 second")
        assert.isFalse(yield* Deferred.isDone(gaveUp), `given up after ${second} s`)
      }
      yield* TestClock.adjust("1 second")
      yield* Deferred.await(gaveUp).pipe(within("the slow reader given up on"))
    })
  )

  it.scoped("a slow reader holds up no other socket", () =>
    Effect.gen(function* () {
      const slow = yield* pair
      const fast = yield* pair
      const slowBox = (yield* outbox(slow.server)).box
      const fastBox = (yield* outbox(fast.server)).box
      yield* fill(slow.server)
      for (let i = 0; i < 10; i++) {
        slowBox.push(HEAD, Buffer.from(`${i};`), undefined, `k${i}`)
        fastBox.push(HEAD, Buffer.from(`${i};`), undefined, `k${i}`)
      }
      const bytes = yield* received(fast.client, 20).pipe(within("the fast reader's frames"))
      assert.strictEqual(bytes.toString(), "0;1;2;3;4;5;6;7;8;9;")
    })
  )
})

describe("WS_MAX_BUFFERED_BYTES", () => {
  const read = (value: string | undefined) =>
    Outbox.maxBufferedBytes.pipe(
      Effect.withConfigProvider(
        ConfigProvider.fromMap(new Map(value === undefined ? [] : [["WS_MAX_BUFFERED_BYTES", value]]))
      ),
      Effect.either
    )

  it.effect("is 1 MiB by default; a value outside 64 KiB to 1 GiB, or no integer, is refused naming it", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual(yield* read(undefined), Either.right(1_048_576))
      assert.deepStrictEqual(yield* read("65536"), Either.right(65_536))
      for (const value of ["65535", "0", "-1", "2000000000", "lots"]) {
        const refused = yield* read(value)
        assert.isTrue(Either.isLeft(refused), value)
        if (Either.isLeft(refused)) assert.include(String(refused.left), "WS_MAX_BUFFERED_BYTES")
      }
    })
  )
})
