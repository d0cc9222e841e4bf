/**
 * The HTTP and websocket face of one server instance: GraphQL over HTTP and graphql-ws on the same
 * /graphql path (both through Yoga's envelop, so they share plugins, validation and context),
 * /healthz, the exports under /export/, and the admin's static files.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { createYoga } from 'graphql-yoga';
import { sendNodeResponse } from '@whatwg-node/server';
import { GraphQLError, type ExecutionArgs, type ExecutionResult, type ValidationContext } from 'graphql';
import type { Context as GraphQLWsContext, OperationResult, SubscribePayload } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { credentialsFromConnectionParams, credentialsFromHeaders, isKnownRunnerKey, resolvePrincipal, type HeaderReader, type Principal } from './auth/principal.ts';
import type { Context, Services } from './graphql/context.ts';
import { schema } from './graphql/schema.ts';
import { serveAdmin } from './admin/serveAdmin.ts';
import { CLOSE_FORBIDDEN, credentialKey, type OpenConnections } from './auth/openConnections.ts';
import { clientIp, CLOSE_RATE_LIMITED, createRateLimits, principalKey } from './http/rateLimits.ts';
import { useMutationRateLimit } from './graphql/plugins/mutationRateLimit.ts';
import { assignRequestId, requestScope } from './http/requestId.ts';
import { logRequestWhenDone } from './http/accessLog.ts';
import { useUnexpectedErrorLog } from './graphql/plugins/unexpectedErrorLog.ts';
import { useParseGuard } from './graphql/plugins/parseGuard.ts';
import { createDrain } from './http/drain.ts';
import { hangUpSignalOf } from './http/hangUp.ts';
import { continuationOf, hungUp, keepAnswer, releaseReadBody, sendKeptAnswer, type ClaimHolder, type HeldClaim } from './http/heldClaims.ts';
import { markRunnerHungUp } from './runners/sql/runnerWaits.ts';
import { answerClientErrors } from './http/clientErrors.ts';
import { adminPolicy, API_POLICY, graphiqlHeaderPolicy, setSecurityHeaders } from './http/securityHeaders.ts';
import { GRAPHIQL_CDN, renderGraphiQLWithPolicy } from './graphql/graphiqlPage.ts';
import { corsOptions, originAllowed } from './http/origins.ts';
import { withoutHttpDetails } from './graphql/websocketErrors.ts';
import { DatabaseUnavailableError, isDatabaseUnavailable, RETRY_AFTER_SECONDS } from './http/databaseUnavailable.ts';
import { maskError } from './graphql/maskError.ts';
import { admitGraphQLRequest, useBoundedRequestParsing } from './http/requestBody.ts';
import { MAX_SUBSCRIPTIONS_PER_CONNECTION, TooManySubscriptionsError, useSubscriptionsOverWebsocketOnly } from './graphql/plugins/subscriptionTransport.ts';
import { DocumentTooLargeError, isDocumentTooLarge, useDocumentSizeLimit } from './graphql/plugins/documentSize.ts';
import { boundedParserCache, useDetachedErrorStacks } from './graphql/plugins/documentCache.ts';
import { useCompiledExecution } from './graphql/plugins/compiledExecution.ts';
import { useErrorCodes } from './graphql/plugins/errorCodes.ts';
import { isExportPath } from './exports/exportRequest.ts';
import { createExports } from './exports/serveExport.ts';
import { sendSharedPayloads, sharedPayloadFor, useSharedSubscriptionResults } from './graphql/plugins/sharedSubscriptionResults.ts';
import { holdByConnection, type WorkHolder } from './graphql/heldWorkWaits.ts';
import { startWebsocketHeartbeat } from './http/websocketHeartbeat.ts';

/** What onSubscribe returns for graphql-ws to run: Yoga's own execute and subscribe travel in rootValue. */
type EnvelopedArgs = ExecutionArgs & {
  rootValue: { execute: (args: ExecutionArgs) => OperationResult; subscribe: (args: ExecutionArgs) => OperationResult };
};

const GRAPHQL_PATH = '/graphql';
/** The largest graphql-ws message taken; a larger one closes the connection with 1009 before it is parsed. */
const MAX_WEBSOCKET_MESSAGE_BYTES = 1024 * 1024;
/** WebSocket close code 1013 Try Again Later. */
const CLOSE_TRY_AGAIN_LATER = 1013;
/** How long a shutdown waits for in-flight requests and websocket close handshakes. */
const SHUTDOWN_GRACE_MS = 10_000;

export type App = { server: Server; start(port: number, host?: string): Promise<number>; stop(): Promise<void> };

type ServerContext = {
  principal?: Principal;
  requestId?: string;
  clientIp?: string;
  req?: IncomingMessage;
  res?: ServerResponse;
  socket?: unknown;
  claimHolder?: ClaimHolder;
  continuedClaim?: HeldClaim;
  /** Over HTTP: one per exchange, however many times a held claim's operation runs. */
  hangUp?: () => AbortSignal;
  workHolder?: WorkHolder;
  wsContext?: WebsocketServerContext;
};

/** A graphql-ws connection's context, with what onConnect learnt of its caller. */
type WebsocketServerContext = GraphQLWsContext<Record<string, unknown>, Extra & { principal?: Principal; clientIp?: string }>;

/** A websocket operation's context: the connection's, and the operation as it came. */
type WebsocketContext = Context & { wsContext: WebsocketServerContext; params: SubscribePayload };

export function buildApp(services: Services & { adminToken: string; openConnections?: OpenConnections }): App {
  const { config, db, logger, adminToken } = services;
  const rateLimits = createRateLimits(config);

  const yoga = createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    graphiql: config.graphiql ? { subscriptionsProtocol: 'WS', title: 'Scrapedeck GraphQL' } : false,
    renderGraphiQL: renderGraphiQLWithPolicy,
    cors: corsOptions(config.corsOrigins),
    landingPage: false,
    parserAndValidationCache: boundedParserCache(),
    // admitGraphQLRequest has bounded every body already: it takes only a declared Content-Length within the
    // caller's limit, and Node reads no more than that. Yoga's own check would pipe each body through a
    // stream of its own, a cost every request pays and a held claim keeps for its whole wait.
    maxRequestBodySize: false,
    maskedErrors: { isDev: !config.production, maskError },
    logging: {
      debug: (...args) => logger.debug({ yoga: args }),
      info: (...args) => logger.info({ yoga: args }),
      warn: (...args) => logger.warn({ yoga: args }),
      error: (...args) => logger.error({ yoga: args }),
    },
    plugins: [
      useBoundedRequestParsing(),
      useSubscriptionsOverWebsocketOnly(),
      useDocumentSizeLimit(),
      useDetachedErrorStacks(),
      EnvelopArmorPlugin({
        maxDepth: { n: 12, ignoreIntrospection: true, flattenFragments: true },
        costLimit: { maxCost: 10_000 },
        maxAliases: { n: 20 },
        maxDirectives: { n: 30 },
        maxTokens: { n: 5_000 },
        blockFieldSuggestion: { enabled: config.production },
      }),
      ...(config.introspection ? [] : [disableIntrospection()]),
      useErrorCodes(),
      ...(services.metrics ? [services.metrics.plugin()] : []),
      useMutationRateLimit(rateLimits),
      useUnexpectedErrorLog(),
      useParseGuard(),
      useSharedSubscriptionResults(),
      useCompiledExecution(new Set(['appendLogs'])),
    ],
    // Who is calling is decided here, once: websocket operations bring the principal found at connect time.
    context: async (initial): Promise<Context> => {
      const requestId = initial.requestId ?? initial.request.headers.get('x-request-id')?.slice(0, 64) ?? randomUUID();
      return {
        ...services,
        // Every log line of the request carries its id: over HTTP through the logger's mixin, over websocket bound here.
        logger: initial.requestId ? logger.child({ requestId }) : logger,
        principal: initial.principal ?? (await resolvePrincipal(db, adminToken, credentialsFromHeaders(initial.request.headers), services.knownRunnerKeys)),
        requestId,
        clientIp: initial.clientIp ?? clientIp(initial.req, config.trustProxy),
        transport: initial.socket ? 'websocket' : 'http',
        hangUp: initial.hangUp,
        claimHolder: initial.claimHolder,
        continuedClaim: initial.continuedClaim,
        params: initial.params,
      };
    },
  });

  const exports = createExports({ db, logger, adminToken, poolSize: config.exportPoolSize });
  const drain = createDrain();
  // Timeouts are checked every connectionsCheckingInterval: at Node's 30 s a slow client would get up to that long again.
  const server = createServer({ headersTimeout: config.headersTimeoutSeconds * 1000, connectionsCheckingInterval: 2000 }, (req, res) => {
    const url = req.url ?? '/';
    // The route is the path: /healthz?probe=1 is the health check, not the admin.
    const path = url.split('?', 1)[0]!;
    const graphql = path === GRAPHQL_PATH || path.startsWith(`${GRAPHQL_PATH}/`);
    const route = graphql ? 'graphql' : path === '/healthz' || path === '/metrics' ? path.slice(1) : isExportPath(path) ? 'export' : 'admin';
    const requestId = assignRequestId(req, res);
    logRequestWhenDone(logger, requestId, req, res, route);
    services.metrics?.countRequest(res, route);
    if (!drain.admit(res)) return;
    requestScope.run({ requestId }, () => {
      // A throw here would end the process: whatever a request holds, it gets an answer instead.
      const failed = (error: unknown) => {
        logger.error({ err: error, url: url.slice(0, 200) }, 'request handler failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }));
      };
      handle(req, res, path, graphql).catch(failed);
    });
  });
  answerClientErrors(server, logger);

  async function handle(req: IncomingMessage, res: ServerResponse, path: string, graphql: boolean): Promise<void> {
    const exported = isExportPath(path);
    const api = graphql || exported || path === '/healthz' || path === '/metrics';
    const graphiqlPage = graphql && config.graphiql && req.method === 'GET' && Boolean(req.headers.accept?.includes('text/html'));
    setSecurityHeaders(res, !api ? adminPolicy(req) : graphiqlPage ? graphiqlHeaderPolicy(req, GRAPHIQL_CDN) : API_POLICY);
    if (path === '/metrics' && services.metrics) return services.metrics.serve(res);
    if (path === '/healthz') {
      const ok = await healthz(services);
      return void res.writeHead(ok ? 200 : 503).end(ok ? 'ok' : 'database unreachable');
    }
    if (graphql) return serveGraphQL(req, res);
    if (exported) return exports.serve(req, res, path);
    return serveAdmin(req, res);
  }

  async function serveGraphQL(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let admitted;
    try {
      admitted = await admitGraphQLRequest(req, res, () => resolvePrincipal(db, adminToken, credentialsFromHeaders(nodeHeaders(req)), services.knownRunnerKeys));
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      const refusal = new DatabaseUnavailableError();
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': String(RETRY_AFTER_SECONDS) });
      return void res.end(JSON.stringify({ errors: [{ message: refusal.message, extensions: { code: refusal.extensions.code } }] }));
    }
    if (!admitted) return;
    const claimHolder: ClaimHolder = {};
    const exchange = { req, res, claimHolder, hangUp: hangUpSignalOf(res) };
    // Yoga builds the operation's context on the object it is given: one of its own, so that a held claim keeps none of it.
    let response: Response | undefined = await yoga.handleNodeRequestAndResponse(req, res, { ...admitted, ...exchange });
    for (let held = claimHolder.held; held; held = claimHolder.held) {
      claimHolder.held = undefined;
      // The answer if the wait runs out; the execution that gave it is over, and nothing of it is kept.
      const kept = await keepAnswer(response!);
      // eslint-disable-next-line no-useless-assignment -- not useless: a held wait must not keep the finished execution's Response reachable.
      response = undefined;
      releaseReadBody(req);
      const woken = await held.waiting.woken;
      if (hungUp(res)) {
        held.waiting.passOn();
        return endHungUpWait(held);
      }
      if (!woken) return sendKeptAnswer(res, kept);
      // Without admission's principal: the runner's key is looked up again, and one revoked meanwhile gets no run.
      response = await yoga.handleRequest(continuationOf(req, held.params), { ...exchange, continuedClaim: held });
      if (claimHolder.held || claimHolder.claimed) continue;
      // Refused, failed or hung up before it could look: the run it was woken for goes to the next runner.
      held.waiting.passOn();
      if (hungUp(res)) return endHungUpWait(held);
    }
    // As Yoga's own Node handler sends it (with one writeHead, its default).
    await sendNodeResponse(response!, res, req, true);
  }

  /** A runner that hung up stops counting as connected at once, not when its wait would have ended. */
  async function endHungUpWait(held: HeldClaim): Promise<void> {
    if (held.waitingUntil) await markRunnerHungUp(db.pool, held.runnerId, held.waitingUntil);
  }

  /** Yoga's pipeline for one websocket operation, with the connection's principal. */
  function envelopeFor(ctx: WebsocketServerContext, params: SubscribePayload, more: Partial<Context>) {
    const { extra } = ctx;
    return yoga.getEnveloped({
      requestId: randomUUID(),
      clientIp: extra.clientIp,
      ...ctx,
      req: extra.request,
      socket: extra.socket,
      params,
      // POST: a websocket operation may be a mutation, which Yoga refuses on a GET request.
      request: new Request(`http://localhost${GRAPHQL_PATH}`, { method: 'POST', headers: extra.request.headers as HeadersInit }),
      principal: extra.principal,
      wsContext: ctx,
      ...more,
    });
  }

  // graphql-ws messages are operations, never batches of lines: a document (at most 100 KB) and its variables.
  const wss = new WebSocketServer({ server, path: GRAPHQL_PATH, maxPayload: MAX_WEBSOCKET_MESSAGE_BYTES });
  services.metrics?.countConnectionsWith(() => wss.clients.size);
  const wsServer = useServer<Record<string, unknown>, { principal?: Principal; clientIp?: string }>(
    {
      // onSubscribe hands over Yoga's enveloped execute and subscribe in rootValue.
      execute: (args) => (args as EnvelopedArgs).rootValue.execute(args),
      subscribe: async (args) => {
        const result = await (args as EnvelopedArgs).rootValue.subscribe(args);
        const { workHolder, wsContext, params } = args.contextValue as WebsocketContext;
        const held = workHolder?.held;
        if (!held) return result;
        // The wait is left to the connection: the answer's context is made when the runner is told, from the connection's.
        const operation = { schema: args.schema, document: args.document, variableValues: args.variableValues, operationName: args.operationName };
        // graphql-ws keeps these arguments for as long as the subscription lasts: without the finished execution's context and pipeline.
        Object.assign(args, { contextValue: undefined, rootValue: undefined });
        return holdByConnection(held, result, operation, async () => envelopeFor(wsContext, params, {}).contextFactory()) as OperationResult;
      },
      onConnect: async (ctx) => {
        const { extra } = ctx;
        const refuse = (code: number, reason: string) => {
          services.metrics?.websocketRefusals.inc({ code: String(code) });
          ctx.extra.socket.close(code, reason);
          return false;
        };
        // Browsers send their page's origin; CORS_ORIGINS applies to websockets as to HTTP.
        if (!originAllowed(ctx.extra.request, config.corsOrigins, config.trustProxy)) return refuse(CLOSE_FORBIDDEN, 'Forbidden: this origin may not connect');
        // Per IP before the credential lookup, so that a flood of connections costs no queries. A runner key
        // this instance knows already (no query either) is limited per key alone: a fleet behind one NAT
        // address reconnecting after a restart is thousands of connections from one address.
        extra.clientIp = clientIp(ctx.extra.request, config.trustProxy);
        const credentials = credentialsFromConnectionParams(ctx.connectionParams);
        const ipWait = isKnownRunnerKey(credentials, services.knownRunnerKeys) ? 0 : rateLimits.connectionsPerIp.take(`ip:${extra.clientIp}`);
        if (ipWait) return refuse(CLOSE_RATE_LIMITED, `Too many connections; retry after ${ipWait} s`);
        let principal: Principal;
        try {
          principal = await resolvePrincipal(db, adminToken, credentials, services.knownRunnerKeys);
        } catch (error) {
          if (!isDatabaseUnavailable(error)) throw error;
          // 1013 Try Again Later: graphql-ws clients retry with backoff, as they should during an outage.
          return refuse(CLOSE_TRY_AGAIN_LATER, 'Try again later: the database is unavailable');
        }
        if (principal.kind === 'anonymous') return refuse(CLOSE_FORBIDDEN, 'Forbidden: send a valid token in connectionParams');
        const key = principalKey(principal);
        const keyWait = key ? rateLimits.connectionsPerKey.take(key) : 0;
        if (keyWait) return refuse(CLOSE_RATE_LIMITED, `Too many connections; retry after ${keyWait} s`);
        extra.principal = principal;
        services.openConnections?.add(ctx.extra.socket, principal, credentials);
        sendSharedPayloads(ctx.extra.socket);
        return true;
      },
      // A result shared by many subscribers (see sharedSubscriptionResults) is serialised once, not once per socket.
      onNext: (ctx, id, _payload, _args, result) => {
        const executed = result as ExecutionResult;
        if (executed.errors) return { ...executed, errors: withoutHttpDetails(executed.errors) };
        return sharedPayloadFor(ctx.extra.socket, id, executed);
      },
      onError: (_ctx, _id, _payload, errors) => withoutHttpDetails(errors),
      onSubscribe: async (ctx, _id, params) => {
        // Before any work, as over HTTP: the document's size is known without reading it.
        if (isDocumentTooLarge(params.query)) return [new DocumentTooLargeError()];
        // graphql-ws has already entered this subscription in ctx.subscriptions.
        if (Object.keys(ctx.subscriptions).length > MAX_SUBSCRIPTIONS_PER_CONNECTION) return [new TooManySubscriptionsError()];
        const { extra } = ctx;
        // A revocation committed while this connection was being opened has no socket to close yet: check again.
        let current: Principal;
        try {
          // A runner key kept by this instance needs no query: a revocation makes every instance forget it first.
          current = await resolvePrincipal(db, adminToken, credentialsFromConnectionParams(ctx.connectionParams), services.knownRunnerKeys);
        } catch (error) {
          if (isDatabaseUnavailable(error)) return [new DatabaseUnavailableError()];
          throw error;
        }
        if (!extra.principal || credentialKey(current) !== credentialKey(extra.principal) || current.kind !== extra.principal.kind) {
          ctx.extra.socket.close(CLOSE_FORBIDDEN, 'Forbidden: the credentials were revoked');
          return [new GraphQLError('Forbidden: the credentials were revoked', { extensions: { code: 'FORBIDDEN' } })];
        }
        // As it is now: a runner's labels may have changed since the connection opened.
        extra.principal = current;
        const { schema, execute, subscribe, contextFactory, parse, validate } = envelopeFor(ctx, params, { workHolder: {} });
        let document;
        try {
          document = parse(params.query);
          const errors = validate(schema, document);
          if (errors.length > 0) return errors;
        } catch (error) {
          // Syntax errors and Armor's limits (tokens, depth) are thrown: an answer for the client, not a socket failure.
          if ((error as Error).name === 'GraphQLError') return [error as GraphQLError];
          throw error;
        }
        return {
          schema,
          operationName: params.operationName,
          document,
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
      },
    },
    wss,
    // Kept alive by the heartbeat below, one timer for every socket rather than two per socket.
    0,
  );
  const stopHeartbeat = startWebsocketHeartbeat(wss, config.websocketKeepAliveMs);

  return {
    server,
    start: (port, host = config.host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      }),
    async stop() {
      // Stop accepting first: a load balancer sees the refusal and sends new work to another instance;
      // a request on a connection kept alive is answered 503 at once (see drain.ts).
      const drained = drain.begin(server);
      logger.info({ inFlight: drain.inFlight, websockets: wss.clients.size }, 'draining: finishing requests in flight');
      // 1001 Going Away: graphql-ws clients reconnect (elsewhere) and resume with afterSeq.
      const disposed = wsServer.dispose();
      stopHeartbeat();
      // In-flight requests get a grace period; a peer that never completes the close handshake does not hold us.
      const deadline = setTimeout(() => {
        logger.warn({ sockets: wss.clients.size }, 'shutdown grace period over, closing remaining connections');
        for (const socket of wss.clients) socket.terminate();
        server.closeAllConnections();
      }, SHUTDOWN_GRACE_MS);
      try {
        await Promise.all([drained, disposed]);
      } finally {
        clearTimeout(deadline);
      }
      // Every export has ended with its connection (the drain waited for them, or cut them off).
      await exports.close();
    },
  };
}

async function healthz(services: Services): Promise<boolean> {
  try {
    await services.db.pool.query('SELECT 1');
    return true;
  } catch (error) {
    services.logger.warn({ err: error }, 'health check failed');
    return false;
  }
}

function disableIntrospection() {
  return {
    onValidate({ addValidationRule }: { addValidationRule: (rule: unknown) => void }) {
      addValidationRule(NoIntrospection);
    },
  };
}

function NoIntrospection(context: ValidationContext) {
  return {
    Field(node: { name: { value: string } }) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        context.reportError(new GraphQLError('Introspection is disabled on this server'));
      }
    },
  };
}

/** Node's headers read as fetch's Headers read them (repeated ones joined), without copying them all. */
function nodeHeaders(req: IncomingMessage): HeaderReader {
  return {
    get(name) {
      const value = req.headers[name];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
  };
}
