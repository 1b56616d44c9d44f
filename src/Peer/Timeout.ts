import { Config } from "effect"
import * as Setting from "../Setting.js"

// PEER_TIMEOUT_MS: how long one exchange with another site may take, its body read included
export const peerTimeoutMs = Setting.integer("PEER_TIMEOUT_MS", { min: 1, unit: "milliseconds" }).pipe(
  Config.withDefault(30_000)
)
