/**
 * The runner's side of the GraphQL API, over fetch with the x-api-key header. Every failure is
 * sorted into one the runner can wait out (TransientApiError: the API or its database is down or
 * slow) or one that retrying cannot fix (RejectedError: the API answered with a typed error).
 */
export class TransientApiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransientApiError';
  }
}

export class RejectedError extends Error {
  readonly typename: string;
  readonly details: Record<string, unknown>;

  constructor(
    typename: string,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(`${typename}: ${message}`);
    this.typename = typename;
    this.details = details;
    this.name = 'RejectedError';
  }
}

export type LogLine = { level: string; message: string; timestamp: string };

export type ClaimedRun = {
  id: string;
  retryCount: number;
  scraper: { id: string; slug: string; name: string; config: unknown; source: { name: string; url: string } };
};

export type RunResult = {
  status: 'SUCCESS' | 'WARNING' | 'ERROR';
  productsFound: number;
  productsProcessed: number;
  flagsCreated?: number;
  errorMessage?: string | null;
  errorType?: string | null;
  /** On the runner's clock: the server takes the run's duration from these, not from when the result reached it. */
  startedAt?: string;
  finishedAt?: string;
};

const REQUEST_TIMEOUT_MS = 15_000;

const ERROR_FIELDS = `__typename ... on Error { message } ... on ValidationError { issues { path message } }`;
/** For the mutations whose result may be a RunStateError (the run is no longer RUNNING). */
const RUN_ERROR_FIELDS = `${ERROR_FIELDS} ... on RunStateError { status }`;

export class ApiClient {
  readonly url: string;
  private readonly apiKey: string;

  constructor(
    url: string,
    apiKey: string,
  ) {
    this.url = url;
    this.apiKey = apiKey;
  }

  async claimRun(): Promise<ClaimedRun | null> {
    const data = await this.mutate(
      'claimRun',
      `mutation Claim { claimRun { ${ERROR_FIELDS} ... on MutationClaimRunSuccess { data { id retryCount scraper { id slug name config source { name url } } } } } }`,
    );
    return (data as ClaimedRun | null) ?? null;
  }

  /** Resolves to the run's status; a run that is no longer RUNNING comes back as a RejectedError with status. */
  async heartbeat(jobId: string): Promise<string> {
    const data = await this.mutate(
      'heartbeat',
      `mutation Beat($jobId: ID!) { heartbeat(jobId: $jobId) { ${RUN_ERROR_FIELDS} ... on MutationHeartbeatSuccess { data { status } } } }`,
      { jobId },
    );
    return (data as { status: string }).status;
  }

  async appendLogs(jobId: string, batchId: string, logs: LogLine[]): Promise<{ fromSeq: number; toSeq: number; duplicate: boolean }> {
    return (await this.mutate(
      'appendLogs',
      `mutation Append($jobId: ID!, $batchId: String!, $logs: [LogLineInput!]!) {
         appendLogs(jobId: $jobId, batchId: $batchId, logs: $logs) { ${RUN_ERROR_FIELDS} ... on MutationAppendLogsSuccess { data { fromSeq toSeq duplicate } } } }`,
      { jobId, batchId, logs },
    )) as { fromSeq: number; toSeq: number; duplicate: boolean };
  }

  async reportProducts(jobId: string, batchId: string, products: unknown[]): Promise<{ stored: number; flagsCreated: number }> {
    return (await this.mutate(
      'reportProducts',
      `mutation Report($jobId: ID!, $batchId: String!, $products: [ProductInput!]!) {
         reportProducts(jobId: $jobId, batchId: $batchId, products: $products) { ${RUN_ERROR_FIELDS} ... on MutationReportProductsSuccess { data { stored flagsCreated } } } }`,
      { jobId, batchId, products },
    )) as { stored: number; flagsCreated: number };
  }

  async completeRun(jobId: string, result: RunResult): Promise<{ status: string }> {
    return (await this.mutate(
      'completeRun',
      `mutation Complete($jobId: ID!, $result: RunResultInput!) {
         completeRun(jobId: $jobId, result: $result) { ${RUN_ERROR_FIELDS} ... on MutationCompleteRunSuccess { data { status } } } }`,
      { jobId, result },
    )) as { status: string };
  }

  /** Sends a mutation whose field returns a `Success { data } | Error` union and unwraps it. */
  private async mutate(field: string, query: string, variables: Record<string, unknown> = {}): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': this.apiKey },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const e = error as Error & { cause?: Error };
      throw new TransientApiError(`${field}: ${e.cause?.message ?? e.message}`);
    }
    if (response.status >= 500 || response.status === 429 || response.status === 408) {
      throw new TransientApiError(`${field}: HTTP ${response.status}`);
    }
    let body: { data?: Record<string, any>; errors?: Array<{ message: string; extensions?: { code?: string } }> };
    try {
      body = (await response.json()) as typeof body;
    } catch (error) {
      throw new TransientApiError(`${field}: unreadable answer (HTTP ${response.status}): ${(error as Error).message}`);
    }
    if (body.errors?.length) {
      const [first] = body.errors;
      // Credentials are not going to become right by waiting; anything else (a masked internal error
      // while the database restarts, say) may pass.
      if (first!.extensions?.code === 'FORBIDDEN') throw new RejectedError('NotAuthorized', first!.message);
      if (first!.extensions?.code === 'GRAPHQL_VALIDATION_FAILED' || first!.extensions?.code === 'BAD_USER_INPUT') {
        throw new RejectedError('InvalidRequest', first!.message);
      }
      throw new TransientApiError(`${field}: ${first!.message}`);
    }
    const result = body.data?.[field];
    if (result === null || result === undefined) return null;
    if (typeof result.__typename === 'string' && !result.__typename.endsWith('Success')) {
      const { __typename, message, ...details } = result;
      throw new RejectedError(__typename, message ?? __typename, details);
    }
    return result.data ?? null;
  }
}
