import { createHmac, timingSafeEqual } from "node:crypto"
import { Effect, Queue, type Scope } from "effect"
import type { Webhook } from "standardwebhooks"
import { turns } from "./Clients.js"
import * as FakeSite from "./FakeSite.js"

export interface Delivery {
  readonly id: string
  readonly headers: Record<string, string>
  readonly rawBody: string
  readonly body: { readonly type: string; readonly timestamp: string; readonly data: any }
  readonly legacyValid: boolean
  readonly answered: number
}

// A webhook receiver on 127.0.0.1 that records every try and answers what `answer` says for the n-th (from 1)
export const make = (
  secret: string,
  answer: (tries: number) => FakeSite.Answer = () => FakeSite.text(200, "")
): Effect.Effect<{ url: string; deliveries: Queue.Queue<Delivery> }, never, Scope.Scope> =>
  Effect.gen(function* () {
    const deliveries = yield* Queue.unbounded<Delivery>()
    let tries = 0
    const site = yield* FakeSite.make((request) => {
      const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(request.rawBody).digest("hex")}`)
      const given = Buffer.from(String(request.headers["x-syncwatch-signature"] ?? ""))
      const reply = answer(++tries)
      const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]))
      Queue.unsafeOffer(deliveries, {
        id: headers["webhook-id"] ?? "",
        headers,
        rawBody: request.rawBody,
        body: JSON.parse(request.rawBody),
        legacyValid: given.length === expected.length && timingSafeEqual(given, expected),
        answered: reply._tag === "Respond" ? reply.status : 0
      })
      return reply
    })
    return { url: `${site.url}/hooks/syncwatch`, deliveries }
  })

// the reference verifier of Standard Webhooks: the parsed body, or its error's message
export const verify = (
  verifier: Webhook,
  delivery: Delivery
): { ok: true; body: unknown } | { ok: false; error: string } => {
  try {
    return { ok: true, body: verifier.verify(delivery.rawBody, delivery.headers) }
  } catch (error) {
    return { ok: false, error: (error as Error).message }
  }
}

// nothing more arrives while the event loop turns (a delivery already due would have)
export const nothingMore = (deliveries: Queue.Queue<Delivery>) =>
  Effect.flatMap(turns(50), () => Queue.size(deliveries))
