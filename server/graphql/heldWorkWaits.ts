/**
 * A runner's workAvailable wait, held by its websocket connection rather than by the subscription's
 * execution. An idle fleet is thousands of such waits: held by the execution, each kept its context,
 * the request Yoga builds for it and the streams wrapping the resolver's, about 17 KB of small objects
 * a runner that every full GC marks again (heap snapshots of 2,000 waits), where the connection itself
 * keeps about 7 KB. Held here, the execution ends as soon as the wait has begun, and the connection
 * keeps the wait and what answering it takes: the operation's document (parsed once for every
 * runner that sends the same text), its variables and name. When the runner is told, the operation's
 * selection is executed with the signal as its root value in a context made then, as graphql's
 * subscribe does with each event.
 * The resolver decides whether a wait is held (a websocket operation that is the wait alone);
 * anything else waits inside its execution.
 */
import { execute, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { signalsOf, type WaitingForWork, type WorkSignal } from '../runs/waitForWork.ts';

/** Handed to a websocket operation's execution: the resolver leaves a wait to hold here. */
export type WorkHolder = { held?: WaitingForWork };

export type HeldOperation = {
  schema: GraphQLSchema;
  document: DocumentNode;
  variableValues?: { readonly [name: string]: unknown } | null;
  operationName?: string | null;
};

/**
 * What the connection streams instead of the finished execution's result: the wait's one signal,
 * answered in the operation's shape, then the end. newContext makes the context of that answer.
 */
export function holdByConnection(
  wait: WaitingForWork,
  finished: unknown,
  operation: HeldOperation,
  newContext: () => Promise<unknown>,
): AsyncIterableIterator<ExecutionResult> | ExecutionResult {
  if (!isAsyncIterable(finished)) {
    void wait.leave();
    return finished as ExecutionResult;
  }
  // The execution is over: its stream, which ends at once, is let go with everything it kept.
  void finished.return?.();
  return new HeldStream(signalsOf(wait), operation, newContext);
}

/** A class rather than closures: one per idle runner, for every full GC to mark. */
class HeldStream implements AsyncIterableIterator<ExecutionResult> {
  private readonly signals: AsyncIterableIterator<WorkSignal>;
  private readonly operation: HeldOperation;
  private readonly newContext: () => Promise<unknown>;

  constructor(signals: AsyncIterableIterator<WorkSignal>, operation: HeldOperation, newContext: () => Promise<unknown>) {
    this.signals = signals;
    this.operation = operation;
    this.newContext = newContext;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ExecutionResult> {
    return this;
  }

  /**
   * A runner told whose socket closes before the answer is sent, or whose answer fails, does not
   * hand the wake-up on: the run is still claimable, and the sweep of claimable runs finds it.
   */
  async next(): Promise<IteratorResult<ExecutionResult>> {
    const step = await this.signals.next();
    if (step.done) return { done: true, value: undefined };
    const { schema, document, variableValues, operationName } = this.operation;
    return { done: false, value: await execute({ schema, document, variableValues, operationName, rootValue: step.value, contextValue: await this.newContext() }) };
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    await this.signals.return!();
    return { done: true, value: undefined };
  }
}

/** The stream a held wait's execution ends with: it ends at once. */
export function heldElsewhere(): AsyncIterableIterator<never> {
  const stream: AsyncIterableIterator<never> = {
    [Symbol.asyncIterator]: () => stream,
    next: async () => ({ done: true, value: undefined }),
    return: async () => ({ done: true, value: undefined }),
  };
  return stream;
}

function isAsyncIterable(value: unknown): value is AsyncIterator<unknown> & AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
