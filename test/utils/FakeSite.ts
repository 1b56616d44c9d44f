import { execFile } from "node:child_process"
import { mkdtemp, readFile, rm } from "node:fs/promises"
import * as Http from "node:http"
import * as Https from "node:https"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { Deferred, Effect, Exit, type Scope } from "effect"
import { freePort } from "./Ports.js"

// A real HTTP server on 127.0.0.1 that answers like a PhoenixKitSync site, or misbehaves on demand.

export type Answer =
  | {
      readonly _tag: "Respond"
      readonly status: number
      readonly body: string
      readonly headers: Http.OutgoingHttpHeaders
    }
  | { readonly _tag: "Hang" }
  | { readonly _tag: "Stall" }
  | { readonly _tag: "Reset" }
  | { readonly _tag: "Close" }
  | { readonly _tag: "Garbage" }
  | { readonly _tag: "Huge"; readonly bytes: number; readonly declareLength: boolean }
  | { readonly _tag: "Held"; readonly release: Deferred.Deferred<void>; readonly then: Answer }

export const json = (status: number, body: unknown): Answer => ({
  _tag: "Respond",
  status,
  body: JSON.stringify(body),
  headers: { "content-type": "application/json; charset=utf-8" }
})
export const text = (status: number, body: string, headers: Http.OutgoingHttpHeaders = {}): Answer => ({
  _tag: "Respond",
  status,
  body,
  headers: { "content-type": "text/html; charset=utf-8", ...headers }
})
export const redirect = (status: number, location: string): Answer => text(status, "", { location })
// reads the request, never answers
export const hang: Answer = { _tag: "Hang" }
// 200 headers and half a JSON body, then nothing, forever
export const stall: Answer = { _tag: "Stall" }
// TCP RST (ECONNRESET on the client)
export const reset: Answer = { _tag: "Reset" }
// FIN without an answer ("other side closed")
export const close: Answer = { _tag: "Close" }
// bytes that are not HTTP at all
export const garbage: Answer = { _tag: "Garbage" }
// a 200 body of `bytes`, written as fast as the client reads it
export const huge = (bytes: number, options: { readonly declareLength: boolean }): Answer => ({
  _tag: "Huge",
  bytes,
  declareLength: options.declareLength
})

// a slow site: answers `then` once the test completes `release`
export const held = (release: Deferred.Deferred<void>, then: Answer): Answer => ({ _tag: "Held", release, then })

export interface RecordedRequest {
  readonly method: string
  readonly path: string
  readonly headers: Http.IncomingHttpHeaders
  readonly rawBody: string
  // the JSON-parsed body, or the raw string when it is not JSON
  readonly body: unknown
  // when its body had been read (Date.now(): a process test compares arrivals in real time)
  readonly at: number
}

export interface ResponseOutcome {
  // false when the socket closed before the answer was fully written: the client went away
  readonly completed: boolean
  readonly bytesWritten: number
}

export interface FakeSite {
  readonly url: string
  readonly port: number
  readonly requests: Effect.Effect<ReadonlyArray<RecordedRequest>>
  // the first request, once its body has been read
  readonly received: Deferred.Deferred<RecordedRequest>
  // the first request's response closed: finished, or cut off by the client
  readonly closed: Deferred.Deferred<ResponseOutcome>
}

export interface Tls {
  readonly key: string
  readonly cert: string
}

export const make = (
  answer: Answer | ((request: RecordedRequest) => Answer),
  options: { readonly tls?: Tls } = {}
): Effect.Effect<FakeSite, never, Scope.Scope> =>
  Effect.gen(function* () {
    const received = yield* Deferred.make<RecordedRequest>()
    const closed = yield* Deferred.make<ResponseOutcome>()
    const requests: Array<RecordedRequest> = []
    const handler: Http.RequestListener = (req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (chunk: Buffer) => chunks.push(chunk))
      req.on("end", () => {
        const rawBody = Buffer.concat(chunks).toString("utf8")
        const request: RecordedRequest = {
          method: req.method ?? "",
          path: req.url ?? "",
          headers: req.headers,
          rawBody,
          body: parse(rawBody),
          at: Date.now()
        }
        requests.push(request)
        const first = requests.length === 1
        const written = { bytes: 0 }
        res.once("close", () => {
          if (first)
            Deferred.unsafeDone(closed, Exit.succeed({ completed: res.writableFinished, bytesWritten: written.bytes }))
        })
        if (first) Deferred.unsafeDone(received, Exit.succeed(request))
        respond(typeof answer === "function" ? answer(request) : answer, req, res, written)
      })
    }
    const server =
      options.tls === undefined ? Http.createServer(handler) : Https.createServer({ ...options.tls }, handler)
    yield* Effect.acquireRelease(
      Effect.async<void>((resume) => {
        server.listen(0, "127.0.0.1", () => resume(Effect.void))
      }),
      () =>
        Effect.async<void>((resume) => {
          server.close(() => resume(Effect.void))
          server.closeAllConnections()
        })
    )
    const port = (server.address() as AddressInfo).port
    return {
      url: `${options.tls === undefined ? "http" : "https"}://127.0.0.1:${port}`,
      port,
      requests: Effect.sync(() => [...requests]),
      received,
      closed
    }
  })

// a loopback port nobody listens on (was free a moment ago; from below the ephemeral range, so no listen(0)
// of another test takes it meanwhile)
export const closedPort: Effect.Effect<number> = freePort

// a self-signed certificate for 127.0.0.1, made by the openssl CLI in a temp dir
export const selfSignedCert: Effect.Effect<Tls> = Effect.acquireUseRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "fakesite-"))),
  (dir) =>
    Effect.promise(async () => {
      const key = join(dir, "key.pem")
      const cert = join(dir, "cert.pem")
      await promisify(execFile)("openssl", [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        key,
        "-out",
        cert
      ])
      return { key: await readFile(key, "utf8"), cert: await readFile(cert, "utf8") }
    }),
  (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
)

const parse = (raw: string): unknown => {
  try {
    return JSON.parse(raw)
  } catch {
    return raw
  }
}

const respond = (answer: Answer, req: Http.IncomingMessage, res: Http.ServerResponse, written: { bytes: number }) => {
  switch (answer._tag) {
    case "Respond":
      written.bytes = Buffer.byteLength(answer.body)
      res.writeHead(answer.status, answer.headers).end(answer.body)
      return
    case "Hang":
      return
    case "Stall":
      written.bytes = 1
      res.writeHead(200, { "content-type": "application/json" }).write("{")
      return
    case "Reset":
      req.socket.resetAndDestroy()
      return
    case "Close":
      req.socket.destroy()
      return
    case "Garbage":
      req.socket.end("SSH-2.0-OpenSSH_9.6\r\n\r\n")
      return
    case "Huge":
      return writeHuge(answer, res, written)
    case "Held":
      Effect.runCallback(Deferred.await(answer.release), {
        onExit: () => {
          if (!res.destroyed) respond(answer.then, req, res, written)
        }
      })
      return
  }
}

const writeHuge = (
  answer: { readonly bytes: number; readonly declareLength: boolean },
  res: Http.ServerResponse,
  written: { bytes: number }
) => {
  const chunk = Buffer.alloc(64 * 1024, "a")
  res.writeHead(200, {
    "content-type": "application/json",
    ...(answer.declareLength ? { "content-length": answer.bytes } : {})
  })
  const pump = () => {
    while (written.bytes < answer.bytes && !res.destroyed) {
      const size = Math.min(chunk.length, answer.bytes - written.bytes)
      written.bytes += size
      if (!res.write(chunk.subarray(0, size))) {
        res.once("drain", pump)
        return
      }
    }
    if (!res.destroyed) res.end()
  }
  pump()
}
