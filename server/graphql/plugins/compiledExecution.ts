/**
 * Runs the ingest mutation, appendLogs, through graphql-jit: the variables of a batch of hundreds of
 * lines are then coerced by code compiled for LogLineInput, instead of graphql-js's generic walk
 * plus the executor's defensive copy of every line (measured: about a quarter of the server's CPU
 * per stored line). Every other operation keeps the standard executor.
 *
 * When the variables do not coerce, the compiled query answers without running anything, and the
 * request is executed again by the standard executor: its errors say which line is wrong and why.
 */
import { getOperationAST, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

type Execute = (args: ExecutionArgs) => unknown;

/** A one-operation mutation whose only root field is one of fields. */
function isMutationOf(document: DocumentNode, fields: ReadonlySet<string>): boolean {
  if (document.definitions.length !== 1) return false;
  const operation = getOperationAST(document);
  if (operation?.operation !== 'mutation' || operation.selectionSet.selections.length !== 1) return false;
  const [selection] = operation.selectionSet.selections;
  return selection!.kind === 'Field' && fields.has(selection!.name.value);
}

const isPromise = (value: unknown): value is Promise<unknown> => typeof (value as Promise<unknown>)?.then === 'function';

export function useCompiledExecution(mutationFields: ReadonlySet<string>) {
  // Parsed documents are cached by the parser cache, so one compilation serves every request of a runner.
  const compiled = new WeakMap<DocumentNode, CompiledQuery | null>();

  const compiledFor = (args: ExecutionArgs): CompiledQuery | null => {
    let query = compiled.get(args.document);
    if (query === undefined) {
      query = null;
      if (isMutationOf(args.document, mutationFields)) {
        const result = compileQuery(args.schema, args.document);
        if (isCompiledQuery(result)) query = result;
      }
      compiled.set(args.document, query);
    }
    return query;
  };

  return {
    onExecute({ args, executeFn, setExecuteFn }: { args: ExecutionArgs; executeFn: Execute; setExecuteFn: (fn: Execute) => void }) {
      const query = compiledFor(args);
      if (!query) return;
      setExecuteFn((execution) => {
        const answer = (result: ExecutionResult) => ('data' in result ? result : executeFn(execution));
        const result = query.query(execution.rootValue, execution.contextValue, execution.variableValues);
        return isPromise(result) ? result.then(answer) : answer(result);
      });
    },
  };
}
