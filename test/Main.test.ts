import { spawn } from "node:child_process"
import { join } from "node:path"
import { assert, describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Exit } from "effect"
import { STATUS_EVENTS } from "./graphql/Documents.js"
import { freePort, graphql } from "./utils/App.js"
import { sse, within, wsClient, wsSubscribe } from "./utils/Clients.js"
import { tempDir } from "./utils/Db.js"

// The real process, as `npm start` runs it: src/main.ts under tsx, configured by its environment.

interface Exited {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly output: string
}

const launch = (env: Record<string, string>) =>
  Effect.gen(function* () {
    const port = yield* freePort
    const dir = yield* tempDir
    const graphqlUrl = `http://127.0.0.1:${port}/graphql`
    const listening = yield* Deferred.make<void>()
    const exited = yield* Deferred.make<Exited>()
    let output = ""
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
          cwd: join(import.meta.dirname, ".."),
          env: {
            PATH: process.env["PATH"] ?? "",
            HOME: process.env["HOME"] ?? dir,
            PORT: String(port),
            HOST: "127.0.0.1",
            DATABASE_URL: join(dir, "x", "db.sqlite"),
            ...env
          },
          stdio: ["ignore", "pipe", "pipe"]
        })
      ),
      (child) => Effect.sync(() => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"))
    )
    const collect = (chunk: Buffer) => {
      output += chunk.toString("utf8")
      if (output.includes(`GraphQL at ${graphqlUrl}`)) Deferred.unsafeDone(listening, Exit.void)
    }
    child.stdout.on("data", collect)
    child.stderr.on("data", collect)
    child.once("exit", (code, signal) => Deferred.unsafeDone(exited, Exit.succeed({ code, signal, output })))
    return { child, port, graphqlUrl, listening, exited, output: () => output }
  })

type Process = Effect.Effect.Success<ReturnType<typeof launch>>

// tsx compiles on start: a generous guard, still far below the test timeout
const started = (app: Process) =>
  Deferred.await(app.listening).pipe(
    Effect.raceFirst(
      Effect.flatMap(Deferred.await(app.exited), (exit) => Effect.die(new Error(`exited early: ${exit.output}`)))
    ),
    within("the GraphQL URL on stdout", "20 seconds"),
    Effect.mapError((error) => new Error(`${error.message}\n${app.output()}`))
  )

const stopsCleanly = (signal: NodeJS.Signals) =>
  Effect.gen(function* () {
    const app = yield* launch({ LOG_LEVEL: "info" })
    yield* started(app)
    const result = yield* graphql(app.graphqlUrl, "{ connections { uuid } }")
    assert.deepStrictEqual(result.data, { connections: [] })
    const health = yield* Effect.promise(() => fetch(`http://127.0.0.1:${app.port}/health`).then((r) => r.json()))
    assert.deepStrictEqual(health, { status: "ok" })

    // open subscriptions must not keep the process alive
    const overSse = yield* sse(app.graphqlUrl, STATUS_EVENTS, { every: 1 })
    const overWs = yield* wsSubscribe(yield* wsClient(app.port), STATUS_EVENTS, { every: 1 })
    expect(yield* overSse.next.pipe(within("an SSE round"))).toMatchObject({
      data: { statusEvents: { __typename: "StatusRoundCompleted" } }
    })
    expect(yield* overWs.next.pipe(within("a ws round"))).toMatchObject({
      data: { statusEvents: { __typename: "StatusRoundCompleted" } }
    })

    app.child.kill(signal)
    const exit = yield* Deferred.await(app.exited).pipe(within(`exit after ${signal}`))
    assert.strictEqual(exit.code, 0, exit.output)
    assert.strictEqual(yield* Deferred.await(overSse.ended), "complete")
    yield* Deferred.await(overWs.done).pipe(within("the ws subscription to complete"))
  })

const refusesToStart = (env: Record<string, string>, variable: string) =>
  Effect.gen(function* () {
    const app = yield* launch(env)
    const exit = yield* Deferred.await(app.exited).pipe(within("exit on bad config", "20 seconds"))
    assert.notStrictEqual(exit.code, 0, exit.output)
    assert.include(exit.output, variable)
    assert.notInclude(exit.output, "GraphQL at")
  })

describe("the process", () => {
  it.live("serves, then exits 0 on SIGTERM", () => stopsCleanly("SIGTERM").pipe(Effect.scoped))

  it.live("serves, then exits 0 on SIGINT", () => stopsCleanly("SIGINT").pipe(Effect.scoped))

  it.live("refuses a PEER_TIMEOUT_MS that is not a number", () =>
    refusesToStart({ PEER_TIMEOUT_MS: "abc" }, "PEER_TIMEOUT_MS").pipe(Effect.scoped)
  )

  it.live("refuses CHECK_CONCURRENCY=0", () =>
    refusesToStart({ CHECK_CONCURRENCY: "0" }, "CHECK_CONCURRENCY").pipe(Effect.scoped)
  )
})
