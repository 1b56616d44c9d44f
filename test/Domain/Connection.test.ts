import { describe, expect, it } from "@effect/vitest"
import {
  ConnectionStatus,
  canSever,
  Direction,
  isPendingReceiver,
  isRemoteSettable
} from "../../src/Domain/Connection.js"
import { connection } from "../Peer/fixtures.js"

const every = Direction.literals.flatMap((direction) =>
  ConnectionStatus.literals.map((status) => ({ direction, status }))
)

describe("the connection rules", () => {
  it("a remote may set active, suspended and revoked, nothing else", () => {
    expect(ConnectionStatus.literals.filter(isRemoteSettable)).toEqual(["active", "suspended", "revoked"])
    expect(isRemoteSettable("ACTIVE")).toBe(false)
  })

  it("only a pending receiver is a pending receiver", () => {
    expect(every.filter((fields) => isPendingReceiver(connection(fields)))).toEqual([
      { direction: "receiver", status: "pending" }
    ])
  })

  it("a pending or active connection may be severed; a suspended, revoked or expired one is left alone", () => {
    expect(ConnectionStatus.literals.filter((status) => canSever(connection({ direction: "sender", status })))).toEqual(
      ["pending", "active"]
    )
  })
})
