/**
 * Subscription plans from the supergraph. The query planner of `@apollo/query-planner`
 * splits a subscription into a primary fetch (the owning subgraph's subscription field,
 * run upstream as a live subscription) and the rest (entity fetches to other subgraphs,
 * run once per event). Nothing here knows a particular field: everything comes from the
 * composed supergraph.
 */
import { buildOperationContext } from '@apollo/gateway';
import { Supergraph, operationFromDocument, type Schema } from '@apollo/federation-internals';
import { QueryPlanner, type FetchNode, type PlanNode, type QueryPlan } from '@apollo/query-planner';
import {
  GraphQLError, Kind, OperationTypeNode, TypeInfo, getNamedType, getOperationAST, print, validate, visit, visitWithTypeInfo,
  type DocumentNode, type GraphQLSchema, type OperationDefinitionNode, type ValueNode,
} from 'graphql';

type OperationContext = ReturnType<typeof buildOperationContext>;

/** One client subscription, planned against one supergraph. */
export interface SubscriptionPlan {
  operationContext: OperationContext;
  /** The upstream subscription: sent once to the owning subgraph. */
  primary: FetchNode;
  /**
   * What runs for each event: the primary fetch (answered with the event itself) followed
   * by the entity fetches to other subgraphs, so Apollo's executor shapes the response.
   */
  perEvent: QueryPlan;
  /** Whether the event needs fields from other subgraphs at all. */
  hasEntityFetches: boolean;
  /** The client's operation in canonical form (one key for every spelling of it). */
  canonical: string;
  /**
   * Whether every authorised viewer gets the same events: the subscription field is tagged
   * `@tag(name: "shared")` by its subgraph, no selected field is tagged `@tag(name: "viewer")`
   * (a value that depends on who asks) and none below the root returns a type tagged so
   * (entities looked up as the viewer: what they may see). Such subscriptions share one
   * upstream feed across viewers, each viewer kept authorised by a guard.
   */
  sharedAcrossViewers: boolean;
  /**
   * Arguments of the subscription field tagged `@tag(name: "replay")` (e.g. chat's
   * `afterPosition`), as the operation gives them. When one has a value the events depend
   * on when the subscription started (a replay first), so it shares its source with nobody.
   */
  replayArguments: readonly ValueNode[];
}

/** Tag of a subscription field whose events are the same for every authorised viewer. */
export const SHARED_TAG = 'shared';
/** Tag of a field whose value depends on the viewer. */
export const VIEWER_TAG = 'viewer';
/** Tag of a subscription argument that asks for a replay of past events. */
export const REPLAY_TAG = 'replay';

/** Whether a replay argument has a value, given the coerced variables. */
export function asksReplay(plan: SubscriptionPlan, variables: Record<string, unknown>): boolean {
  return plan.replayArguments.some((v) => (v.kind === Kind.VARIABLE ? variables[v.name.value] != null : v.kind !== Kind.NULL));
}

export class SupergraphPlans {
  /** The client-facing schema (graphql-js), for validation. */
  readonly schema: GraphQLSchema;
  /** The supergraph schema (graphql-js), for Apollo's executor. */
  readonly supergraphSchema: GraphQLSchema;
  /** The API schema (federation-internals), for Apollo's executor. */
  readonly apiSchema: Schema;
  /** Each subgraph's routing URL as written in the supergraph. */
  readonly routingUrls: ReadonlyMap<string, string>;
  readonly #planner: QueryPlanner;
  /** `Type.field` → the names of its `@tag`s, from the supergraph. */
  readonly #tags = new Map<string, Set<string>>();

  constructor(supergraphSdl: string) {
    const supergraph = Supergraph.build(supergraphSdl);
    for (const type of supergraph.schema.types()) {
      if (type.kind !== 'ObjectType' && type.kind !== 'InterfaceType') continue;
      const typeNames = type.appliedDirectivesOf<{ name: string }>('tag').map((d) => d.arguments().name);
      if (typeNames.length) this.#tags.set(type.name, new Set(typeNames));
      for (const field of type.fields()) {
        const names = field.appliedDirectivesOf<{ name: string }>('tag').map((d) => d.arguments().name);
        if (names.length) this.#tags.set(`${type.name}.${field.name}`, new Set(names));
        for (const arg of field.arguments()) {
          const argNames = arg.appliedDirectivesOf<{ name: string }>('tag').map((d) => d.arguments().name);
          if (argNames.length) this.#tags.set(`${type.name}.${field.name}(${arg.name})`, new Set(argNames));
        }
      }
    }
    this.routingUrls = new Map(supergraph.subgraphs().values().flatMap((s) => (s.url ? [[s.name, s.url] as const] : [])));
    this.apiSchema = supergraph.apiSchema();
    this.schema = this.apiSchema.toGraphQLJSSchema();
    this.supergraphSchema = supergraph.schema.toGraphQLJSSchema();
    this.#planner = new QueryPlanner(supergraph);
  }

  /**
   * Validates and plans a subscription. Returns GraphQL errors (with codes) for a document
   * that is not a valid subscription of this supergraph.
   */
  plan(document: DocumentNode, operationName: string | undefined): SubscriptionPlan | GraphQLError[] {
    const operationAst = getOperationAST(document, operationName);
    if (!operationAst) {
      return [new GraphQLError(operationName ? `Unknown operation "${operationName}".` : 'The document must contain exactly one operation, or name one.', { extensions: { code: 'BAD_USER_INPUT' } })];
    }
    if (operationAst.operation !== OperationTypeNode.SUBSCRIPTION) {
      return [new GraphQLError('Only subscriptions are served over WebSocket; send queries and mutations over HTTP.', { extensions: { code: 'BAD_USER_INPUT' } })];
    }
    const invalid = validate(this.schema, document);
    if (invalid.length) {
      return invalid.map((e) => new GraphQLError(e.message, { nodes: e.nodes ?? null, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
    }
    const operationContext = buildOperationContext({ schema: this.schema, operationDocument: document, ...(operationName ? { operationName } : {}) });
    const operation = operationFromDocument(this.apiSchema, document, operationName ? { operationName } : {});
    const plan = this.#planner.buildQueryPlan(operation);
    const node = plan.node;
    if (node?.kind !== 'Subscription') {
      return [new GraphQLError('The subscription could not be planned.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })];
    }
    const rest: PlanNode[] = node.rest ? (node.rest.kind === 'Sequence' ? node.rest.nodes : [node.rest]) : [];
    return {
      operationContext,
      primary: node.primary,
      perEvent: { kind: 'QueryPlan', node: rest.length ? { kind: 'Sequence', nodes: [node.primary, ...rest] } : node.primary },
      hasEntityFetches: rest.length > 0,
      sharedAcrossViewers: this.#sharedAcrossViewers(document, operationAst),
      replayArguments: this.#replayArguments(operationContext.operation),
      canonical: print(operationContext.operation) + Object.values(operationContext.fragments).map((f) => print(f)).join(''),
    };
  }

  #replayArguments(operation: OperationDefinitionNode): ValueNode[] {
    const root = this.schema.getSubscriptionType();
    const out: ValueNode[] = [];
    for (const selection of operation.selectionSet.selections) {
      if (selection.kind !== Kind.FIELD || !root) continue;
      for (const arg of selection.arguments ?? []) {
        if (this.#tags.get(`${root.name}.${selection.name.value}(${arg.name.value})`)?.has(REPLAY_TAG)) out.push(arg.value);
      }
    }
    return out;
  }

  #sharedAcrossViewers(document: DocumentNode, operation: OperationDefinitionNode): boolean {
    const typeInfo = new TypeInfo(this.schema);
    let root = true;
    let shared = true;
    const fragments = document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
    visit(
      { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] },
      visitWithTypeInfo(typeInfo, {
        Field: () => {
          const parent = typeInfo.getParentType();
          const field = typeInfo.getFieldDef();
          if (!parent || !field) return;
          const tags = this.#tags.get(`${parent.name}.${field.name}`);
          if (root) {
            root = false;
            if (!tags?.has(SHARED_TAG)) shared = false;
          } else if (this.#tags.get(getNamedType(field.type).name)?.has(VIEWER_TAG)) {
            // Entities of a viewer-tagged type are looked up as the viewer (what they may see).
            shared = false;
          }
          if (tags?.has(VIEWER_TAG)) shared = false;
        },
      }),
    );
    return shared;
  }
}

/** The variables a fetch uses, taken from the client's. */
export function variablesFor(fetch: FetchNode, variables: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of fetch.variableUsages ?? []) if (name in variables) out[name] = variables[name];
  return out;
}
