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

// What one socket has yet to send. Every frame of a tick goes out in one write; while the socket holds more
// than the bound, frames wait here, a newer result for the same (subscription, connection) replacing the older
// one; once what waits behind a full socket passes the bound too, or the socket has not drained within
// STALL_MILLIS, the reader is given up on. Nothing that produces results ever waits on a socket.
export interface Frames {
  // the bytes to send for `parts` (an SSE event or a WebSocket frame), as one Buffer list
  readonly frame: (parts: ReadonlyArray<Buffer>, size: number) => ReadonlyArray<Buffer>
}

interface Pending {
  parts: ReadonlyArray<Buffer>
  size: number
}

export interface Outbox {
  readonly push: (parts: ReadonlyArray<Buffer>, key?: string) => void
  // everything still waiting goes out now (the farewell before a close)
  readonly flushNow: () => void
  readonly stop: () => void
}

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
  let pending: Array<Pending | undefined> = []
  let keyed = new Map<string, number>()
  let pendingBytes = 0
  let scheduled = false
  let draining = false
  let stopped = false
  let cancelStall: (() => void) | undefined

  const write = () => {
    if (pending.length === 0) return
    const buffers: Array<Buffer> = []
    let total = 0
    for (const entry of pending) {
      if (entry === undefined) continue
      for (const part of frames.frame(entry.parts, entry.size)) {
        buffers.push(part)
        total += part.length
      }
    }
    pending = []
    keyed = new Map()
    pendingBytes = 0
    socket.write(buffers.length === 1 ? buffers[0]! : Buffer.concat(buffers, total))
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
    pending = []
    keyed = new Map()
  }

  return {
    push: (parts, key) => {
      if (stopped) return
      let size = 0
      for (const part of parts) size += part.length
      const over = draining || socket.writableLength + pendingBytes + size > maxBytes
      const at = over && key !== undefined ? keyed.get(key) : undefined
      if (at !== undefined) {
        pendingBytes += size - pending[at]!.size
        pending[at] = { parts, size }
      } else {
        if (key !== undefined) keyed.set(key, pending.length)
        pending.push({ parts, size })
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

const CLOSE_BRACE = Buffer.from("}")
export const closeBrace = CLOSE_BRACE

// server → client: FIN, text, unmasked (RFC 6455 5.2)
export const webSocketFrames: Frames = {
  frame: (parts, size) => {
    let header: Buffer
    if (size < 126) header = Buffer.from([0x81, size])
    else if (size < 65_536) {
      header = Buffer.allocUnsafe(4)
      header[0] = 0x81
      header[1] = 126
      header.writeUInt16BE(size, 2)
    } else {
      header = Buffer.allocUnsafe(10)
      header[0] = 0x81
      header[1] = 127
      header.writeBigUInt64BE(BigInt(size), 2)
    }
    return [header, ...parts]
  }
}
