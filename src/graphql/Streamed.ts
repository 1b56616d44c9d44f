import {
  type DocumentNode,
  type GraphQLLeafType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type GraphQLType,
  getOperationAST,
  Kind
} from "graphql"
import type { Plugin } from "graphql-yoga"
import type { Operation } from "./Bridge.js"

// A large senderStatuses answer written as its results arrive, in the same bytes yoga would send whole. Only for
// a query over HTTP asking JSON whose one root field is senderStatuses with leaf fields (aliases and
// __typename allowed, no fragments, no directives): its items are serialised here, in order, by the schema's own
// leaf types, and sent in chunks. Nothing is sent before the first result: until then the operation is
// graphql's (its errors, its budget, its masking, byte for byte). After it, a failure (budget, result size,
// a defect) ends the response unfinished, since its first bytes already said data; the client's leaving ends
// the operation and closes its remote requests, as before the first byte.

const FIELD = "senderStatuses"
// bytes of serialised items gathered before they are sent
const CHUNK = 16 * 1024

interface Leaf {
  readonly key: string
  readonly field: string
  // undefined: __typename
  readonly type: GraphQLLeafType | undefined
  readonly nonNull: boolean
}

interface Plan {
  readonly key: string
  readonly typename: string
  readonly leaves: ReadonlyArray<Leaf>
}

// by shape, not graphql's instanceof checks: the schema may come from graphql's other build (ESM or CommonJS)
const named = (type: GraphQLType | undefined): GraphQLType | undefined =>
  type !== undefined && "ofType" in type ? named(type.ofType) : type
const isNonNull = (type: GraphQLType) => type.toString().endsWith("!")
const isObject = (type: GraphQLType | undefined): type is GraphQLObjectType =>
  type !== undefined && "getFields" in type && "getInterfaces" in type
const isLeaf = (type: GraphQLType | undefined): type is GraphQLLeafType =>
  type !== undefined && "serialize" in type && !("getFields" in type)

// the shape this writer answers exactly as graphql's executor would; anything else is graphql's
const planOf = (schema: GraphQLSchema, document: DocumentNode, operationName?: string | null): Plan | undefined => {
  const operation = getOperationAST(document, operationName)
  if (operation?.operation !== "query" || (operation.directives?.length ?? 0) > 0) return undefined
  const [root, ...others] = operation.selectionSet.selections
  if (root?.kind !== Kind.FIELD || others.length > 0 || root.name.value !== FIELD) return undefined
  if ((root.directives?.length ?? 0) > 0 || root.selectionSet === undefined) return undefined
  const item = named(schema.getQueryType()?.getFields()[FIELD]?.type)
  if (!isObject(item)) return undefined
  const fields = item.getFields()
  const leaves = new Map<string, Leaf>()
  for (const selection of root.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || (selection.directives?.length ?? 0) > 0) return undefined
    const key = selection.alias?.value ?? selection.name.value
    const field = selection.name.value
    // a key asked twice is one key of the answer, where first asked (validation refuses two fields under one key)
    if (leaves.has(key)) continue
    if (field === "__typename") {
      leaves.set(key, { key, field, type: undefined, nonNull: true })
      continue
    }
    const definition = fields[field]
    const type = named(definition?.type)
    if (definition === undefined || definition.resolve !== undefined || !isLeaf(type)) return undefined
    leaves.set(key, { key, field, type, nonNull: isNonNull(definition.type) })
  }
  return { key: root.alias?.value ?? FIELD, typename: item.name, leaves: [...leaves.values()] }
}

// yoga answers JSON when the request accepts one of its regular types; otherwise a stream (SSE, multipart)
const REGULAR = /^(?:\*\/\*|application\/\*|application\/json|application\/graphql-response\+json)$/
const asksJson = (request: Request) =>
  (request.headers.get("accept") ?? "*/*")
    .replace(/\s/g, "")
    .toLowerCase()
    .split(",")
    .some((accept) => {
      const [type, ...params] = accept.split(";")
      const charset = params.find((param) => param.includes("charset="))
      return (charset === undefined || charset === "charset=utf-8") && REGULAR.test(type ?? "")
    })

// an item's JSON, keys in the order asked, values by the schema's serialisers (as the executor's leaves)
const serialiser = (plan: Plan) => (item: Readonly<Record<string, unknown>>) => {
  const out: Record<string, unknown> = {}
  for (const leaf of plan.leaves) {
    if (leaf.type === undefined) {
      out[leaf.key] = plan.typename
      continue
    }
    const value = item[leaf.field]
    const serialised = value == null ? null : leaf.type.serialize(value)
    if (serialised == null && leaf.nonNull) throw new Error(`${plan.typename}.${leaf.field} is null`)
    out[leaf.key] = serialised ?? null
  }
  return JSON.stringify(out)
}

export interface Streamed {
  // the answer's items, in order; the first one commits the response
  readonly push: (item: unknown) => void
  readonly committed: boolean
}
export interface StreamedContext {
  readonly streamed?: Streamed
}

const makeSink = (plan: Plan, maxBytes: number, cancel: AbortController) => {
  const serialise = serialiser(plan)
  let controller!: ReadableStreamDefaultController<Uint8Array>
  const body = new ReadableStream<Uint8Array>({
    start: (c) => {
      controller = c
    },
    // the client left: the operation ends (its checks' sockets close)
    cancel: () => cancel.abort()
  })
  let pending = `{"data":{${JSON.stringify(plan.key)}:[`
  let count = 0
  let size = 0
  let ended = false
  let commit = () => {}
  const committed = new Promise<void>((resolve) => {
    commit = resolve
  })
  const flush = () => {
    controller.enqueue(Buffer.from(pending))
    pending = ""
  }
  const fail = (reason: string) => {
    if (ended) return
    ended = true
    cancel.abort()
    // the socket first: a body that fails is otherwise ended as if whole (a chunked end, unfinished JSON)
    sink.destroy()
    controller.error(new Error(`senderStatuses ended after its first bytes: ${reason}`))
  }
  const sink = {
    committed: false,
    destroy: () => {},
    whenCommitted: committed,
    body,
    push: (item: unknown) => {
      if (ended) return
      let json: string
      try {
        json = serialise(item as Record<string, unknown>)
      } catch (error) {
        return fail(String(error))
      }
      // the budget's measure of a result (Limits.sizeOver): its JSON's characters
      size += json.length + 1
      if (size > maxBytes) return fail("over GRAPHQL_MAX_RESULT_BYTES")
      pending += count++ === 0 ? json : `,${json}`
      if (!sink.committed) {
        sink.committed = true
        commit()
        // the answer's head and first item at once: the client sees it start
        flush()
      } else if (pending.length >= CHUNK) flush()
    },
    end: () => {
      if (ended) return
      ended = true
      pending += "]}}"
      flush()
      controller.close()
    },
    fail
  }
  return sink
}

const hasErrors = (result: unknown) =>
  typeof result !== "object" ||
  result === null ||
  ((result as { errors?: ReadonlyArray<unknown> }).errors?.length ?? 0) > 0

type Sink = ReturnType<typeof makeSink>

export interface StreamedList {
  // after Limits.useBudget: its executor (the cost refused, the time budget) runs inside this one
  readonly plugin: Plugin
  // how the route cuts a streamed response's connection when its answer fails after the first bytes
  readonly onBroken: (response: Response, destroy: () => void) => void
}

export const make = (maxResultBytes: number): StreamedList => {
  const regular = new WeakSet<Request>()
  const streams = new WeakMap<Request, Sink>()
  const bodies = new WeakMap<Response, Sink>()
  const plugin: Plugin = {
    // HTTP only (graphql-ws executes without parsing a request): the answer goes out as a response body
    onRequestParse: ({ request }) => {
      if (asksJson(request)) regular.add(request)
    },
    onExecute: ({ args, executeFn, setExecuteFn, extendContext }) => {
      const context = args.contextValue as unknown as Operation
      if (!regular.has(context.request)) return
      const plan = planOf(args.schema, args.document, args.operationName)
      if (plan === undefined) return
      const cancel = new AbortController()
      const signal = AbortSignal.any([context.signal ?? context.request.signal, cancel.signal])
      const sink = makeSink(plan, maxResultBytes, cancel)
      extendContext({ signal, streamed: sink } as never)
      streams.set(context.request, sink)
      setExecuteFn((executionArgs) => {
        const running = Promise.resolve(executeFn(executionArgs))
        // once committed, the execution's end is the stream's, whichever promise yoga took first
        running.then(
          (result) => {
            if (sink.committed) hasErrors(result) ? sink.fail("the operation failed") : sink.end()
          },
          (error: unknown) => {
            if (sink.committed) sink.fail(String(error))
          }
        )
        // what the other plugins and yoga's headers see; the body is replaced by the stream
        const streaming = sink.whenCommitted.then(() => ({ data: { [plan.key]: [] } }))
        return Promise.race([running, streaming]) as never
      })
    },
    onResponse: ({ request, response, setResponse }) => {
      const sink = streams.get(request)
      if (sink?.committed !== true) return
      const headers = new Headers(response.headers)
      headers.delete("content-length")
      const streamed = new Response(sink.body, { status: response.status, headers })
      bodies.set(streamed, sink)
      setResponse(streamed)
    }
  }
  return {
    plugin,
    onBroken: (response, destroy) => {
      const sink = bodies.get(response)
      if (sink !== undefined) sink.destroy = destroy
    }
  }
}
