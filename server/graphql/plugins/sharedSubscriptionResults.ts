/**
 * One execution and one JSON text per subscription event, however many subscribers receive it.
 *
 * graphql's subscribe runs the selection set once per event per subscriber: with a thousand
 * subscribers of one run, a thousand identical executions and a thousand JSON.stringify calls of the
 * same lines. For root fields whose result depends only on the event (authorization is decided
 * when subscribing, with authorizeOnSubscribe; the hub hands one event object to every subscriber
 * of a run with the same filter), the result is computed once per (event, document, operation,
 * variables of the selection set) and shared; the websocket layer then sends its JSON text once
 * serialised (see sharedPayloadText).
 *
 * The shared execution runs the selection set compiled by graphql-jit: a replay event carries
 * thousands of lines, and graphql-js's generic walk over five fields of each (with a resolve info
 * and a path per field) was a fifth of the server's time per replayed line.
 */
import {
  createSourceEventStream,
  execute,
  Kind,
  print,
  visit,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
  type OperationDefinitionNode,
} from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';

/** Subscription root fields whose per-event result is the same for every subscriber who may subscribe. */
const SHAREABLE_ROOT_FIELDS = new Set(['jobLogs']);

/** execute: the selection set of one event, compiled once per operation (graphql-js's execute when it does not compile). */
type Plan = { key: string; variableNames: string[]; execute: ((args: ExecutionArgs, event: unknown) => PromiseOrValue<ExecutionResult>) | null } | null;
type PromiseOrValue<T> = T | Promise<T>;

const plans = new WeakMap<DocumentNode, Map<string, Plan>>();
const results = new WeakMap<object, Map<string, PromiseOrValue<ExecutionResult>>>();
const payloadTexts = new WeakMap<ExecutionResult, string>();

/** An envelop plugin: shareable subscriptions are subscribed through subscribeShared. */
export function useSharedSubscriptionResults() {
  return {
    onSubscribe({ args, setSubscribeFn }: { args: ExecutionArgs; setSubscribeFn: (fn: (args: ExecutionArgs) => unknown) => void }) {
      if (planFor(args.document, args.operationName)) setSubscribeFn(subscribeShared);
    },
  };
}

/** graphql's subscribe, with each event's execution shared between the subscribers that asked the same. */
async function subscribeShared(args: ExecutionArgs): Promise<ExecutionResult | AsyncIterableIterator<ExecutionResult>> {
  const plan = planFor(args.document, args.operationName);
  const stream = await createSourceEventStream(args);
  if (!plan || !(Symbol.asyncIterator in stream)) return stream as ExecutionResult;
  plan.execute ??= compiledSelection(args);
  const variables = args.variableValues ?? {};
  const key = `${plan.key}\n${JSON.stringify(plan.variableNames.map((name) => variables[name] ?? null))}`;
  const events = stream as AsyncIterableIterator<unknown>;
  const map = async (step: IteratorResult<unknown>): Promise<IteratorResult<ExecutionResult>> => {
    if (step.done) return step;
    return { done: false, value: await resultFor(args, key, step.value, plan.execute!) };
  };
  // Not a generator, so that return() reaches the source stream (and the hub) at once.
  const mapped: AsyncIterableIterator<ExecutionResult> = {
    next: () => events.next().then(map),
    return: () => (events.return ? events.return().then(map) : Promise.resolve({ done: true, value: undefined })),
    throw: (error?: unknown) => (events.throw ? events.throw(error).then(map) : Promise.reject(error)),
    [Symbol.asyncIterator]() {
      return mapped;
    },
  };
  return mapped;
}

/** The JSON text of a shared result, computed once; undefined for a result that is not shared or carries errors. */
function sharedPayloadText(result: ExecutionResult): string | undefined {
  const cached = payloadTexts.get(result);
  if (cached !== undefined || !sharedResults.has(result) || result.errors) return cached;
  const text = JSON.stringify(result);
  payloadTexts.set(result, text);
  return text;
}

const sharedResults = new WeakSet<ExecutionResult>();

const executeEvent = (args: ExecutionArgs, event: unknown) => execute({ ...args, rootValue: event }) as PromiseOrValue<ExecutionResult>;

/**
 * The operation's per-event execution compiled by graphql-jit: its compiled query, given the event
 * as root value, is what graphql's subscribe does with each event (mapSourceToResponse).
 */
function compiledSelection(args: ExecutionArgs): (args: ExecutionArgs, event: unknown) => PromiseOrValue<ExecutionResult> {
  const compiled = compileQuery(args.schema, args.document, args.operationName ?? undefined);
  if (!isCompiledQuery(compiled)) return executeEvent;
  return (execution, event) => compiled.query(event, execution.contextValue, execution.variableValues ?? {}) as PromiseOrValue<ExecutionResult>;
}

function resultFor(
  args: ExecutionArgs,
  key: string,
  event: unknown,
  executeSelection: (args: ExecutionArgs, event: unknown) => PromiseOrValue<ExecutionResult>,
): PromiseOrValue<ExecutionResult> {
  const run = () => executeSelection(args, event);
  if (typeof event !== 'object' || event === null) return run();
  let byKey = results.get(event);
  if (!byKey) results.set(event, (byKey = new Map()));
  let result = byKey.get(key);
  if (result === undefined) {
    result = run();
    const remember = (value: ExecutionResult) => (sharedResults.add(value), value);
    result = result instanceof Promise ? result.then(remember) : remember(result);
    byKey.set(key, result);
  }
  return result;
}

/**
 * Whether the operation may share its event results, and under which key: the printed document
 * and operation name, plus the names of the variables its selection set uses (the root field's
 * own arguments, jobId, afterSeq, minLevel, shape the event stream, not the event's result).
 */
function planFor(document: DocumentNode, operationName: string | null | undefined): Plan {
  let byOperation = plans.get(document);
  if (!byOperation) plans.set(document, (byOperation = new Map()));
  const name = operationName ?? '';
  let plan = byOperation.get(name);
  if (plan === undefined) {
    plan = makePlan(document, operationName);
    byOperation.set(name, plan);
  }
  return plan;
}

function makePlan(document: DocumentNode, operationName: string | null | undefined): Plan {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation || operation.operation !== 'subscription') return null;
  const roots = operation.selectionSet.selections;
  // A fragment or directive at the root could select anything: only plain fields are shared.
  if (!roots.every((s): s is FieldNode => s.kind === Kind.FIELD && !s.directives?.length && SHAREABLE_ROOT_FIELDS.has(s.name.value))) return null;
  const variableNames = new Set<string>();
  const collect = { Variable: (node: { name: { value: string } }) => void variableNames.add(node.name.value) };
  for (const root of roots as FieldNode[]) if (root.selectionSet) visit(root.selectionSet, collect);
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) visit(definition, collect);
  return { key: `${print(document)}\n${operationName ?? ''}`, variableNames: [...variableNames].sort(), execute: null };
}

/**
 * graphql-ws stringifies every message whole. For a shared result, onNext hands it an empty
 * payload instead, and the socket's send puts the shared text in its place: each socket then only
 * joins its envelope (the subscription id) to the text serialised once. (JSON.rawJSON takes
 * primitives only, so the text cannot travel inside the message object.)
 */
const EMPTY_PAYLOAD_END = ',"type":"next","payload":{}}';
const ENVELOPE_START = '{"id":';
const pendingTexts = new WeakMap<object, Map<string, string>>();

type Sender = { send(data: unknown, ...rest: unknown[]): void };

/** graphql-ws's onNext: an empty stand-in payload for a shared result, whose text the socket's send inserts. */
export function sharedPayloadFor(socket: object, id: string, result: ExecutionResult): Record<string, never> | undefined {
  const text = sharedPayloadText(result);
  if (text === undefined) return undefined;
  let pending = pendingTexts.get(socket);
  if (!pending) pendingTexts.set(socket, (pending = new Map()));
  pending.set(id, text);
  return {};
}

/** Wraps a websocket's send so that a message standing in for a shared payload goes out with the payload's text. */
export function sendSharedPayloads(socket: Sender): void {
  const send = socket.send.bind(socket);
  socket.send = (data: unknown, ...rest: unknown[]) => {
    const pending = pendingTexts.get(socket);
    if (pending?.size && typeof data === 'string' && data.endsWith(EMPTY_PAYLOAD_END) && data.startsWith(ENVELOPE_START)) {
      const id = JSON.parse(data.slice(ENVELOPE_START.length, data.length - EMPTY_PAYLOAD_END.length)) as string;
      const text = pending.get(id);
      if (text !== undefined) {
        pending.delete(id);
        data = `${data.slice(0, -3)}${text}}`;
      }
    }
    send(data, ...rest);
  };
}
