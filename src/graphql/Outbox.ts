import type { Writable } from "node:stream"
import { Config } from "effect"
import * as Setting from "../Setting.js"

// WS_MAX_BUFFERED_BYTES: what one subscriber's socket may hold unsent (graphql-ws and SSE alike)
export const maxBufferedBytes = Setting.integer("WS_MAX_BUFFERED_BYTES", {
  min: 65_536,
  max: 1_073_741_824,
  unit: "bytes"
}).pipe(Config.withDefault(1024 * 1024))

// a reader still above the bound this long after it filled up is closed (graphql-ws 1013, SSE: the body ends)
export const STALL_MILLIS = 30_000
export const SLOW_READER = { code: 1013, reason: "Reader too slow" } as const

// What one socket has yet to send. A frame is a head, a body and a tail (a subscription's prefix, the shared
// encoded result, the closing brace), framed for the transport when it is written. Every frame of a tick goes
// out in one write of one buffer; while the socket holds more than the bound, frames wait here, a newer result
// for the same (head, key) — the same subscription and connection — replacing the older one; once what waits
// behind a full socket passes the bound too, or the socket has not drained within STALL_MILLIS, the reader is
// given up on. Nothing that produces results ever waits on a socket.
export interface Frames {
  // the bytes a frame of `size` bytes needs before it, written at `offset`
  readonly headerSize: (size: number) => number
  readonly header: (target: Buffer, offset: number, size: number) => void
}

export interface Outbox {
  readonly push: (head: Buffer, body?: Buffer, tail?: Buffer, key?: string) => void
  // everything still waiting goes out now (the farewell before a close)
  readonly flushNow: () => void
  readonly stop: () => void
}

const EMPTY = Buffer.alloc(0)
// a body this large is written as it is, not copied
const BY_REFERENCE_BYTES = 16 * 1024

export const make = (options: {
  // a socket, or an HTTP response (SSE): what it holds unsent is its writableLength
  readonly socket: Writable
  readonly maxBytes: number
  readonly frames: Frames
  // a one-shot timer on the server's Clock; returns its cancel
  readonly after: (millis: number, run: () => void) => () => void
  readonly giveUp: () => void
}): Outbox => {
  const { socket, maxBytes, frames } = options
  // the frames waiting, side by side (a frame replaced by a newer one keeps its place)
  let heads: Array<Buffer> = []
  let bodies: Array<Buffer> = []
  let tails: Array<Buffer> = []
  let keys: Array<string | undefined> = []
  // (head, key) → its place, built once a reader lags (the only time a frame is replaced)
  let places: Map<Buffer, Map<string, number>> | undefined
  let pendingBytes = 0
  let scheduled = false
  let draining = false
  let stopped = false
  let cancelStall: (() => void) | undefined

  const clear = () => {
    heads = []
    bodies = []
    tails = []
    keys = []
    places = undefined
    pendingBytes = 0
  }
  // Small frames are copied into one buffer; a large body (a round's list for every page) is not copied but
  // written by reference, shared by every socket it goes to: the sockets' queues hold one copy of it, not one each.
  // The socket is corked meanwhile, so the tick's bytes still leave in one system call (writev).
  const write = () => {
    const count = heads.length
    if (count === 0) return
    let small: Array<Buffer> = []
    let smallBytes = 0
    const pushSmall = (part: Buffer) => {
      if (part.length === 0) return
      small.push(part)
      smallBytes += part.length
    }
    const writeSmall = () => {
      if (small.length === 0) return
      socket.write(small.length === 1 ? small[0]! : Buffer.concat(small, smallBytes))
      small = []
      smallBytes = 0
    }
    const framedHeads = heads
    const framedBodies = bodies
    const framedTails = tails
    clear()
    socket.cork()
    for (let i = 0; i < count; i++) {
      const head = framedHeads[i]!
      const body = framedBodies[i]!
      const tail = framedTails[i]!
      const size = head.length + body.length + tail.length
      const header = Buffer.allocUnsafe(frames.headerSize(size))
      frames.header(header, 0, size)
      pushSmall(header)
      pushSmall(head)
      if (body.length < BY_REFERENCE_BYTES) pushSmall(body)
      else {
        writeSmall()
        socket.write(body)
      }
      pushSmall(tail)
    }
    writeSmall()
    socket.uncork()
  }
  const flush = () => {
    scheduled = false
    if (stopped || draining) return
    if (socket.writableLength <= maxBytes) return write()
    draining = true
    cancelStall = options.after(STALL_MILLIS, giveUp)
    socket.once("drain", drained)
  }
  const drained = () => {
    draining = false
    cancelStall?.()
    cancelStall = undefined
    flush()
  }
  const giveUp = () => {
    if (stopped) return
    stop()
    options.giveUp()
  }
  const stop = () => {
    stopped = true
    cancelStall?.()
    socket.off("drain", drained)
    clear()
  }
  const placesOf = (head: Buffer) => {
    if (places === undefined) {
      places = new Map()
      for (let i = 0; i < heads.length; i++) {
        const key = keys[i]
        if (key !== undefined) placesOf(heads[i]!).set(key, i)
      }
    }
    let byKey = places.get(head)
    if (byKey === undefined) {
      byKey = new Map()
      places.set(head, byKey)
    }
    return byKey
  }

  return {
    push: (head, body = EMPTY, tail = EMPTY, key) => {
      if (stopped) return
      const size = head.length + body.length + tail.length
      const over = draining || socket.writableLength + pendingBytes + size > maxBytes
      if (over && key !== undefined) {
        const byKey = placesOf(head)
        const at = byKey.get(key)
        if (at !== undefined) {
          pendingBytes += size - (heads[at]!.length + bodies[at]!.length + tails[at]!.length)
          bodies[at] = body
          tails[at] = tail
        } else {
          byKey.set(key, heads.length)
          heads.push(head)
          bodies.push(body)
          tails.push(tail)
          keys.push(key)
          pendingBytes += size
        }
      } else {
        if (key !== undefined && places !== undefined) placesOf(head).set(key, heads.length)
        heads.push(head)
        bodies.push(body)
        tails.push(tail)
        keys.push(key)
        pendingBytes += size
      }
      if (draining && pendingBytes > maxBytes) return giveUp()
      if (!scheduled && !draining) {
        scheduled = true
        setImmediate(flush)
      }
    },
    flushNow: () => {
      if (!stopped) write()
    },
    stop
  }
}

export const closeBrace = Buffer.from("}")

// server → client: FIN, text, unmasked (RFC 6455 5.2)
export const webSocketFrames: Frames = {
  headerSize: (size) => (size < 126 ? 2 : size < 65_536 ? 4 : 10),
  header: (target, offset, size) => {
    target[offset] = 0x81
    if (size < 126) target[offset + 1] = size
    else if (size < 65_536) {
      target[offset + 1] = 126
      target.writeUInt16BE(size, offset + 2)
    } else {
      target[offset + 1] = 127
      target.writeUInt32BE(Math.floor(size / 2 ** 32), offset + 2)
      target.writeUInt32BE(size >>> 0, offset + 6)
    }
  }
}

// SSE: the frame is its own text (`event: next\ndata: …\n\n`)
export const plainFrames: Frames = { headerSize: () => 0, header: () => {} }
