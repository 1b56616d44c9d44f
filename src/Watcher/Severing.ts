import { Config } from "effect"
import type { ConnectionUuid } from "../Domain/Connection.js"
import type { LastVerification } from "../LastKnown.js"
import * as Setting from "../Setting.js"

export interface SeveringRule {
  // consecutive protocol not-founds before a sender is suspended
  readonly severAfter: number
  // more than this share of at least MIN_ELIGIBLE eligible senders answering not-found holds the round
  readonly brakePercent: number
}

export const MIN_ELIGIBLE = 4

export const config = Config.all({
  severAfter: Setting.integer("SEVER_AFTER", { min: 1, unit: "checks in a row" }).pipe(Config.withDefault(1)),
  brakePercent: Setting.integer("SEVER_BRAKE_PERCENT", { min: 0, max: 100, unit: "percent" }).pipe(
    Config.withDefault(50)
  )
})

export interface Decision {
  readonly held: boolean
  readonly notFound: number
  readonly eligible: number
  readonly toSever: ReadonlyArray<ConnectionUuid>
}

// The verifications of one round (or of one verifyReceiverConnections call) seen together: a mass
// not-found is our mistake far more often than every remote's (a changed SITE_URL, a restored database).
export const decide = (batch: ReadonlyArray<LastVerification>, rule: SeveringRule): Decision => {
  const notFound = batch.filter(({ verification }) => verification.outcome === "not_found")
  const eligible = batch.length
  const held = eligible >= MIN_ELIGIBLE && notFound.length * 100 > rule.brakePercent * eligible
  return {
    held,
    notFound: notFound.length,
    eligible,
    toSever: held
      ? []
      : notFound
          .filter(({ notFoundCount }) => notFoundCount >= rule.severAfter)
          .map((v) => v.verification.connectionUuid)
  }
}
