/**
 * Live events executed by functions graphql-jit compiles once per subscription operation,
 * not by graphql-js's `execute` per event.
 *
 * Why: graphql-js memoises each execution's sub-selections in a module-wide WeakMap keyed by
 * that execution's context object. The map lives long, so it sits in V8's old generation,
 * and V8's young-generation collector keeps the entries of an old WeakMap alive: each
 * event's execution context — the event, its context, the variables — survives minor
 * collections and waits for a full one. Under R1 (bench/README.md), per-event contexts and
 * `execute`'s arguments were the objects chat's minor collections kept most. On chat's
 * feed selection, alone in one process, graphql-jit's function ran an event in 2.8–3.8 µs
 * against 11.3–14.7 µs, with a quarter of the collection time; it keeps nothing per
 * execution.
 *
 * graphql-jit coerces the variables again at each call, with its own code, which does not
 * apply the default values of input object fields; an operation with a variable of an input
 * object type therefore runs on graphql-js, as does one graphql-jit cannot compile.
 * Requests over HTTP stay with Apollo Server and graphql-js.
 */
import { execute, getNamedType, Kind, isInputObjectType, typeFromAST, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import type { Logger } from '../logger.ts';

/** Runs an operation's selection on `rootValue` (a live event) with the event's own context. */
export type CompiledOperation = (rootValue: unknown, contextValue: object, variables: Record<string, unknown>) => Promise<ExecutionResult> | ExecutionResult;

export class OperationCompiler {
  readonly #schema: GraphQLSchema;
  readonly #logger: Logger;
  /** Per document (the parsed documents the subscription server keeps per operation text), per operation name. */
  readonly #compiled = new WeakMap<DocumentNode, Map<string | null, CompiledOperation>>();

  constructor(schema: GraphQLSchema, logger: Logger) {
    this.#schema = schema;
    this.#logger = logger;
  }

  /** The operation `operationName` of `document` (already validated against the schema), compiled on first use. */
  operation(document: DocumentNode, operationName: string | null): CompiledOperation {
    let byName = this.#compiled.get(document);
    if (!byName) this.#compiled.set(document, (byName = new Map<string | null, CompiledOperation>()));
    let run = byName.get(operationName);
    if (!run) byName.set(operationName, (run = this.#compile(document, operationName)));
    return run;
  }

  #compile(document: DocumentNode, operationName: string | null): CompiledOperation {
    const schema = this.#schema;
    const byGraphqlJs: CompiledOperation = (rootValue, contextValue, variableValues) => execute({ schema, document, operationName, rootValue, contextValue, variableValues });
    if (this.#takesInputObjects(document)) return byGraphqlJs;
    const compiled = compileQuery(schema, document, operationName ?? undefined);
    if (isCompiledQuery(compiled)) return (rootValue, contextValue, variables) => compiled.query(rootValue, contextValue, variables);
    this.#logger.warn({ operationName, errors: compiled.errors?.map((e) => e.message) }, 'a subscription could not be compiled; its events run on graphql-js');
    return byGraphqlJs;
  }

  /** Whether an operation of the document has a variable of an input object type (or a type the schema lacks). */
  #takesInputObjects(document: DocumentNode): boolean {
    return document.definitions.some(
      (d) =>
        d.kind === Kind.OPERATION_DEFINITION &&
        (d.variableDefinitions ?? []).some((v) => {
          const type = typeFromAST(this.#schema, v.type);
          return !type || isInputObjectType(getNamedType(type));
        }),
    );
  }
}
