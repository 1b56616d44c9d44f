import { createHash, randomBytes } from "node:crypto"
import { Effect, Redacted } from "effect"

// B §1.3: 32 random bytes, URL-safe base64 without padding (43 characters)
export const generate: Effect.Effect<Redacted.Redacted<string>> = Effect.sync(() =>
  Redacted.make(randomBytes(32).toString("base64url"))
)

// B §1.3: lowercase hex SHA-256 of the token's UTF-8 bytes, no salt
export const hash = (token: Redacted.Redacted<string>): Redacted.Redacted<string> =>
  Redacted.make(createHash("sha256").update(Redacted.value(token), "utf8").digest("hex"))
