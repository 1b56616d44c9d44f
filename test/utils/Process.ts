import { execFileSync, spawn } from "node:child_process"
import { join } from "node:path"
import { assert } from "@effect/vitest"
import { Deferred, Effect, Exit } from "effect"
import { freePort } from "./App.js"
import { within } from "./Clients.js"
import { tempDir } from "./Db.js"

// The real process, as `npm start` runs it: the compiled server (dist/main.js, plain node), configured by its
// environment. A test file builds it once (`beforeAll(build)`), as `npm start` builds it when needed.

export const ROOT = join(import.meta.dirname, "..", "..")

export const build = () => {
  execFileSync(process.execPath, [join(ROOT, "build.mjs")], {
    cwd: ROOT,
    stdio: "inherit"
  })
}

export interface Exited {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly output: string
}

// as another user: `uid` and `gid` of the child (the tests run as root)
export interface As {
  readonly uid: number
  readonly gid: number
}

export const launch = (env: Record<string, string>, as?: As) =>
  Effect.gen(function* () {
    const port = env["PORT"] === undefined ? yield* freePort : Number(env["PORT"])
    const dir = yield* tempDir
    // on PostgreSQL the cluster's runner listens too: never the shared default port in tests
    const runnerPort = yield* freePort
    const graphqlUrl = `http://127.0.0.1:${port}/graphql`
    const listening = yield* Deferred.make<void>()
    const exited = yield* Deferred.make<Exited>()
    let output = ""
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        spawn(process.execPath, ["dist/main.js"], {
          cwd: ROOT,
          env: {
            PATH: process.env["PATH"] ?? "",
            HOME: process.env["HOME"] ?? dir,
            PORT: String(port),
            HOST: "127.0.0.1",
            DATABASE_URL: join(dir, "x", "db.sqlite"),
            CLUSTER_RUNNER_PORT: String(runnerPort),
            ...env
          },
          stdio: ["ignore", "pipe", "pipe"],
          ...as
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

export type Process = Effect.Effect.Success<ReturnType<typeof launch>>

// a generous guard (the machine may be busy), still far below the test timeout
export const started = (app: Process) =>
  Deferred.await(app.listening).pipe(
    Effect.raceFirst(
      Effect.flatMap(Deferred.await(app.exited), (exit) => Effect.die(new Error(`exited early: ${exit.output}`)))
    ),
    within("the GraphQL URL on stdout", "20 seconds"),
    Effect.mapError((error) => new Error(`${error.message}\n${app.output()}`))
  )

// exit 1 with one line that names the variable and says what to do
export const refusesToStart = (env: Record<string, string>, variable: string, fix?: string, as?: As) =>
  Effect.gen(function* () {
    const app = yield* launch(env, as)
    const exit = yield* Deferred.await(app.exited).pipe(within("exit on bad config", "20 seconds"))
    assert.strictEqual(exit.code, 1, exit.output)
    assert.include(exit.output, variable)
    assert.notInclude(exit.output, "GraphQL at")
    assert.lengthOf(exit.output.trim().split("\n"), 1, exit.output)
    assert.match(exit.output, /^syncwatch did not start: /)
    if (fix !== undefined) assert.include(exit.output, fix)
    return exit
  })
