import { spawn } from "node:child_process"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit } from "effect"
import { apiUrl, UNKNOWN_HASH } from "./Peer/SyncApi.js"
import { freePort, graphql, type RunningSite, startRefused } from "./utils/App.js"
import { within } from "./utils/Clients.js"
import { tempDir } from "./utils/Db.js"

// the real process, as `npm start` runs it, its stdout and stderr kept whole
const spawnApp = (env: Record<string, string>) =>
  Effect.gen(function* () {
    const port = yield* freePort
    const dir = yield* tempDir
    const siteUrl = `http://127.0.0.1:${port}`
    const listening = yield* Deferred.make<void>()
    const exited = yield* Deferred.make<number | null>()
    let stdout = ""
    let stderr = ""
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
          cwd: join(import.meta.dirname, ".."),
          env: {
            PATH: process.env["PATH"] ?? "",
            HOME: process.env["HOME"] ?? dir,
            PORT: String(port),
            HOST: "127.0.0.1",
            SITE_URL: siteUrl,
            DATABASE_URL: join(dir, "db.sqlite"),
            ...env
          },
          stdio: ["ignore", "pipe", "pipe"]
        })
      ),
      (child) => Effect.sync(() => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"))
    )
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8")
      if (stdout.includes(`GraphQL at ${siteUrl}/graphql`)) Deferred.unsafeDone(listening, Exit.void)
    })
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8")
    })
    child.once("exit", (code) => Deferred.unsafeDone(exited, Exit.succeed(code)))
    const site = { port, siteUrl, graphqlUrl: `${siteUrl}/graphql` } as RunningSite
    const exit = Deferred.await(exited).pipe(
      within("the process to exit", "20 seconds"),
      Effect.map((code) => ({ code, stdout, stderr }))
    )
    return { site, child, listening, exit }
  })

const run = (env: Record<string, string>) =>
  Effect.gen(function* () {
    const app = yield* spawnApp(env)
    yield* Deferred.await(app.listening).pipe(within("the GraphQL URL on stdout", "20 seconds"))
    const stop = Effect.sync(() => app.child.kill("SIGTERM")).pipe(
      Effect.zipRight(app.exit),
      Effect.map(({ stdout }) => stdout)
    )
    return { site: app.site, stop }
  })

interface Entry {
  readonly message: unknown
  readonly logLevel: string
  readonly annotations: Record<string, unknown>
}

const parse = (line: string): Entry => {
  try {
    const entry = JSON.parse(line) as Entry
    assert.isObject(entry, line)
    return entry
  } catch (error) {
    throw new Error(`not a JSON line: ${line.slice(0, 300)}`, { cause: error })
  }
}

describe("LOG_FORMAT", () => {
  it.live("json: every line of the process's output is a JSON object, caller values clipped and escaped", () =>
    Effect.gen(function* () {
      const { site, stop } = yield* run({ LOG_FORMAT: "json", LOG_LEVEL: "debug" })
      const receiverUrl = `https://partner.example.com/${"a".repeat(65_000)}\n{"forged":true}`
      yield* Effect.promise(() =>
        fetch(apiUrl(site, "get-connection-status"), {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ receiver_url: receiverUrl, auth_token_hash: UNKNOWN_HASH })
        })
      )
      yield* graphql(site.graphqlUrl, "{ connections { uuid } }")
      const lines = (yield* stop).split("\n").filter((line) => line !== "")
      const entries = lines.map(parse)
      assert.isTrue(entries.some((entry) => String(entry.message).includes("GraphQL at")))
      const queried = entries.find((entry) => entry.message === "Sender status queried")
      assert.isDefined(queried)
      assert.strictEqual(queried!.logLevel, "DEBUG")
      const logged = String(queried!.annotations["receiverUrl"])
      assert.isBelow(logged.length, 1_000)
      assert.include(logged, "more chars)")
      assert.isFalse(
        lines.some((line) => line.includes("forged")),
        "the tail past the limit is cut"
      )
    }).pipe(Effect.scoped)
  )

  it.live.each(["LOG_FORMAT=xml", "METRICS_ENABLED=maybe"])(
    "%s: the process prints one line naming the variable, announces nothing, and exits 1",
    (setting) =>
      Effect.gen(function* () {
        const [name, value] = setting.split("=") as [string, string]
        const app = yield* spawnApp({ [name]: value })
        const { code, stdout, stderr } = yield* app.exit
        assert.strictEqual(code, 1)
        assert.strictEqual(stdout, "")
        assert.match(stderr, new RegExp(`^syncwatch did not start: ${name}: [^\\n]+\\n$`))
      }).pipe(Effect.scoped)
  )

  it.live("an invalid LOG_FORMAT stops the start, naming it", () =>
    Effect.gen(function* () {
      assert.match(yield* startRefused({ LOG_FORMAT: "xml" }), /^LOG_FORMAT: /)
    }).pipe(Effect.scoped)
  )
})
