import {
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode
} from "graphql"

// The most an operation can cost, computed before it runs: every field value counts 1, once for each time
// its parent can occur. A list occurs as often as its `limit` or `first` argument says (the schema's default
// when not given; the lists inside a page as the page's `first`), or else as the registry is large. Fields
// that read the store once per parent (a connection's history) weigh READ_FIELD_COST more, a whole round of
// checks `expensiveFieldCost` more.

// each one runs a whole round of checks against other sites, whatever its selection costs
const EXPENSIVE_FIELDS: ReadonlySet<string> = new Set(["Query.senderStatuses", "Mutation.verifyReceiverConnections"])

// a store read for each parent (one fiber and one query each): ≈ 100 times a field read from memory
export const READ_FIELD_COST = 100
const READ_FIELDS: ReadonlySet<string> = new Set(["Connection.statusHistory"])

const SIZE_ARGUMENTS = ["limit", "first"]

export interface Weights {
  readonly expensiveFieldCost: number
  // how many connections there are: the length of a list without a size argument
  readonly registrySize: number
}

const literal = (value: ValueNode, variables: Readonly<Record<string, unknown>>): unknown =>
  value.kind === Kind.VARIABLE
    ? variables[value.name.value]
    : value.kind === Kind.INT
      ? Number(value.value)
      : value.kind === Kind.LIST
        ? value.values.length
        : undefined

// how many items a list field can hold
const listSize = (
  definition: GraphQLField<unknown, unknown>,
  node: FieldNode,
  variables: Readonly<Record<string, unknown>>,
  weights: Weights,
  page: number | undefined
): number => {
  for (const name of SIZE_ARGUMENTS) {
    const given = node.arguments?.find((argument) => argument.name.value === name)
    const value =
      given === undefined
        ? definition.args.find((arg) => arg.name === name)?.defaultValue
        : literal(given.value, variables)
    if (typeof value === "number" && Number.isFinite(value)) return Math.max(0, value)
  }
  // a list of ids asks for at most that many
  const uuids = node.arguments?.find((argument) => argument.name.value === "uuids")
  const asked = uuids === undefined ? undefined : literal(uuids.value, variables)
  if (typeof asked === "number") return asked
  if (Array.isArray(asked)) return asked.length
  return page ?? weights.registrySize
}

export const operationCost = (
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  variables: Readonly<Record<string, unknown>>,
  weights: Weights
): number => {
  // each branch of a union counts: any of them may apply
  const selectionCost = (
    type: GraphQLNamedType,
    selectionSet: SelectionSetNode,
    times: number,
    visiting: ReadonlySet<string>,
    page: number | undefined
  ): number => {
    let cost = 0
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        cost += fieldCost(type, selection, times, visiting, page)
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on =
          selection.typeCondition === undefined ? type : (schema.getType(selection.typeCondition.name.value) ?? type)
        cost += selectionCost(on, selection.selectionSet, times, visiting, page)
      } else {
        const name = selection.name.value
        const fragment = fragments[name]
        // a cycle is a validation error already; counted once here
        if (fragment === undefined || visiting.has(name)) continue
        const on = schema.getType(fragment.typeCondition.name.value) ?? type
        cost += selectionCost(on, fragment.selectionSet, times, new Set([...visiting, name]), page)
      }
    }
    return cost
  }

  const fieldCost = (
    parent: GraphQLNamedType,
    node: FieldNode,
    times: number,
    visiting: ReadonlySet<string>,
    page: number | undefined
  ) => {
    const name = node.name.value
    if (name.startsWith("__")) return times
    const definition = "getFields" in parent ? parent.getFields()[name] : undefined
    if (definition === undefined || !("args" in definition)) return times
    const key = `${parent.name}.${name}`
    const weight =
      1 + (EXPENSIVE_FIELDS.has(key) ? weights.expensiveFieldCost : 0) + (READ_FIELDS.has(key) ? READ_FIELD_COST : 0)
    let cost = times * weight
    if (node.selectionSet !== undefined) {
      // by the type's name ("[StatusChange!]!"): yoga may hand us another copy of graphql's classes
      const type = String(definition.type)
      const list = type.startsWith("[")
      const items = list ? listSize(definition, node, variables, weights, page) : 1
      // a page (an object with a `first`): the lists inside it hold that many
      const inner = list
        ? undefined
        : definition.args.some((arg) => arg.name === "first")
          ? listSize(definition, node, variables, weights, undefined)
          : page
      const named = schema.getType(type.replace(/[[\]!]/g, ""))
      if (named !== undefined && named !== null) {
        cost += selectionCost(named, node.selectionSet, times * items, visiting, inner)
      }
    }
    return cost
  }

  const root =
    operation.operation === "query"
      ? schema.getQueryType()
      : operation.operation === "mutation"
        ? schema.getMutationType()
        : schema.getSubscriptionType()
  return root === null || root === undefined ? 0 : selectionCost(root, operation.selectionSet, 1, new Set(), undefined)
}
