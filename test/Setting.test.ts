import { describe, expect, it } from "@effect/vitest"
import { Cause, Config, ConfigProvider, Effect } from "effect"
import * as Setting from "../src/Setting.js"
import * as Startup from "../src/Startup.js"

const read = <A>(config: Config.Config<A>, value: string) =>
  Effect.withConfigProvider(config, ConfigProvider.fromMap(new Map([["N", value]])))

// the one line the process prints when a value is refused
const refusal = <A>(config: Config.Config<A>, value: string) =>
  read(config, value).pipe(
    Effect.flip,
    Effect.map((error) => Startup.describe(Cause.fail(error)))
  )

const timeout = Setting.integer("N", { min: 1, unit: "milliseconds" })

describe("Setting.integer", () => {
  it.effect.each(["1", "30000", " 42 ", "+7"])("takes %j", (value) =>
    Effect.gen(function* () {
      expect(yield* read(timeout, value)).toBe(Number(value))
    })
  )

  it.effect.each(["abc", "", "1.5", "1e3", "0", "-1", "0x10", "99999999999999999999"])(
    "refuses %j naming the value received, the unit and the range",
    (value) =>
      Effect.gen(function* () {
        expect(yield* refusal(timeout, value)).toBe(
          `N: N must be an integer >= 1 (milliseconds); received ${JSON.stringify(value)}`
        )
      })
  )

  it.effect("names both ends of a bounded range", () =>
    Effect.gen(function* () {
      const percent = Setting.integer("N", { min: 0, max: 100, unit: "percent" })
      expect(yield* read(percent, "100")).toBe(100)
      expect(yield* refusal(percent, "101")).toBe('N: N must be an integer from 0 to 100 (percent); received "101"')
    })
  )

  it.effect("a port is 1 to 65535", () =>
    Effect.gen(function* () {
      expect(yield* read(Setting.port("N"), "65535")).toBe(65_535)
      expect(yield* refusal(Setting.port("N"), "65536")).toBe(
        'N: N must be an integer from 1 to 65535 (a TCP port); received "65536"'
      )
    })
  )

  it.effect("unset, the default holds", () =>
    Effect.gen(function* () {
      const value = yield* Effect.withConfigProvider(
        timeout.pipe(Config.withDefault(5)),
        ConfigProvider.fromMap(new Map())
      )
      expect(value).toBe(5)
    })
  )
})
