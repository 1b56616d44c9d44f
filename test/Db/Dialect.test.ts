import { SqlError } from "@effect/sql/SqlError"
import { assert, describe, it } from "@effect/vitest"
import { pgUnavailable, sqliteUnavailable } from "../../src/Db/Dialect.js"

const failed = (message: string, cause: object) => new SqlError({ message, cause })
const execute = "Failed to execute statement"
const databaseError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: "ERROR" })

describe("which PostgreSQL failures mean the store is unavailable", () => {
  it.each([
    ["the server refuses the socket", failed("Failed to acquire connection", { code: "ECONNREFUSED", message: "x" })],
    [
      "the database does not accept connections (55000, at connect)",
      failed("Failed to acquire connection", databaseError("55000", "not currently accepting connections"))
    ],
    ["an open connection terminated by an administrator", failed(execute, databaseError("57P01", "terminating"))],
    ["the server is starting up", failed(execute, databaseError("57P03", "the database system is starting up"))],
    ["a connection exception", failed(execute, databaseError("08006", "connection failure"))],
    ["too many connections", failed(execute, databaseError("53300", "too many clients"))],
    ["a read-only server (a standby)", failed(execute, databaseError("25006", "read-only transaction"))],
    ["the database was dropped", failed(execute, databaseError("3D000", "does not exist"))],
    ["the driver lost its socket", failed(execute, new Error("Connection terminated unexpectedly"))],
    ["the socket was reset", failed(execute, { code: "ECONNRESET", message: "read ECONNRESET" })]
  ])("%s: unavailable", (_, error) => {
    assert.isString(pgUnavailable(error))
  })

  it.each([
    ["a unique violation", failed(execute, databaseError("23505", "duplicate key"))],
    ["a check violation", failed(execute, databaseError("23514", "violates check constraint"))],
    ["a syntax error", failed(execute, databaseError("42601", "syntax error"))],
    ["a missing table", failed(execute, databaseError("42P01", "relation does not exist"))],
    ["a bad value for a type", failed(execute, databaseError("22P02", "invalid input syntax"))]
  ])("%s: the statement's fault, a defect", (_, error) => {
    assert.isUndefined(pgUnavailable(error))
  })
})

describe("which SQLite failures mean the store is unavailable", () => {
  it.each(["SQLITE_READONLY", "SQLITE_FULL", "SQLITE_IOERR_WRITE", "SQLITE_BUSY", "SQLITE_CORRUPT", "SQLITE_CANTOPEN"])(
    "%s: unavailable",
    (code) => {
      assert.include(sqliteUnavailable(failed(execute, { code, message: "m" })), code)
    }
  )

  it.each(["SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_CHECK", "SQLITE_ERROR", "SQLITE_MISMATCH"])(
    "%s: the statement's fault, a defect",
    (code) => {
      assert.isUndefined(sqliteUnavailable(failed(execute, { code, message: "m" })))
    }
  )
})
