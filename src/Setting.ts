import { Config, ConfigError, Either } from "effect"

// What a number variable may hold, for the check and for its error
export interface Range {
  readonly min: number
  readonly max?: number | undefined
  // what the number counts: "milliseconds", "bytes", "requests per minute"…
  readonly unit: string
}

const DIGITS = /^\s*[+-]?\d+\s*$/

const allowed = ({ min, max, unit }: Range) =>
  max === undefined ? `an integer >= ${min} (${unit})` : `an integer from ${min} to ${max} (${unit})`

// Every number variable is read here: a bad value stops the start with one line that names the variable, the
// value received, the unit and the range allowed
export const integer = (name: string, range: Range): Config.Config<number> =>
  Config.string(name).pipe(
    Config.mapOrFail((text) => {
      const value = Number(text)
      return DIGITS.test(text) &&
        Number.isSafeInteger(value) &&
        value >= range.min &&
        (range.max === undefined || value <= range.max)
        ? Either.right(value)
        : Either.left(
            ConfigError.InvalidData([], `${name} must be ${allowed(range)}; received ${JSON.stringify(text)}`)
          )
    })
  )

export const port = (name: string): Config.Config<number> => integer(name, { min: 1, max: 65_535, unit: "a TCP port" })
