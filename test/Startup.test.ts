import { readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import { Cause, ConfigError, Effect, Exit, Layer } from "effect"
import { LOG_LEVELS } from "../src/Server.js"
import * as Startup from "../src/Startup.js"

describe("start-up failures", () => {
  it("a ConfigError becomes one line naming each variable", () => {
    const error = ConfigError.And(
      ConfigError.InvalidData(["PORT"], "port 1 is\nin use"),
      ConfigError.MissingData(["INCOMING_PASSWORD"], "needed")
    )
    assert.strictEqual(Startup.describe(Cause.fail(error)), "PORT: port 1 is in use; INCOMING_PASSWORD: needed")
  })

  it.effect("launch fails with the layer's error, which main prints once", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(Startup.launch(Layer.fail(ConfigError.InvalidData(["HOST"], "bad"))))
      assert.isTrue(Exit.isFailure(exit))
    })
  )

  it("docs/configuration.md's LOG_LEVEL row lists exactly the accepted levels", () => {
    const readme = readFileSync(new URL("../docs/configuration.md", import.meta.url), "utf8")
    const row = readme.split("\n").find((line) => line.startsWith("| `LOG_LEVEL`"))
    assert.isDefined(row)
    const listed = [...row!.split("|")[3]!.matchAll(/`([a-z]+)`/g)].map((match) => match[1])
    assert.deepStrictEqual(listed.sort(), Object.keys(LOG_LEVELS).sort())
  })
})
