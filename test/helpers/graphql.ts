/** A small GraphQL client for tests: HTTP for queries and mutations, graphql-ws for subscriptions. */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { conditionWaiter } from './conditionWaiter.ts';

export type GraphQLResponse<T = any> = { data?: T; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };

export class GraphQLTestClient {
  readonly httpUrl: string;
  readonly wsUrl: string;
  readonly credentials: { token?: string; apiKey?: string };

  constructor(
    httpUrl: string,
    wsUrl: string,
    credentials: { token?: string; apiKey?: string },
  ) {
    this.httpUrl = httpUrl;
    this.wsUrl = wsUrl;
    this.credentials = credentials;
  }

  private headers(): Record<string, string> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.credentials.token) headers.authorization = `Bearer ${this.credentials.token}`;
    if (this.credentials.apiKey) headers['x-api-key'] = this.credentials.apiKey;
    return headers;
  }

  /** Sends one operation and returns the whole response (data and errors). */
  async request<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse<T>> {
    const response = await fetch(this.httpUrl, { method: 'POST', headers: this.headers(), body: JSON.stringify({ query, variables }) });
    return (await response.json()) as GraphQLResponse<T>;
  }

  /** Sends one operation and returns its data, failing on any GraphQL error. */
  async data<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const result = await this.request<T>(query, variables);
    if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
    return result.data as T;
  }

  /** A graphql-ws client that authenticates in connectionParams like the admin does. */
  ws(options: { retry?: boolean } = {}): Client {
    const params: Record<string, string> = {};
    if (this.credentials.token) params.Authorization = `Bearer ${this.credentials.token}`;
    if (this.credentials.apiKey) params['x-api-key'] = this.credentials.apiKey;
    return createClient({
      url: this.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: params,
      retryAttempts: options.retry ? 5 : 0,
      lazy: true,
    });
  }
}

/** Collects a subscription's events; waitFor resolves once a condition over them holds. */
export function collect<T = any>(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const events: T[] = [];
  const errors: unknown[] = [];
  let completed = false;
  const { notify, waitFor } = conditionWaiter(() => `${events.length} events, errors: ${JSON.stringify(errors)}`);
  const dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (value) => {
        if (value.errors) errors.push(...value.errors);
        if (value.data) events.push(value.data as T);
        notify();
      },
      error: (error) => {
        errors.push(error);
        notify();
      },
      complete: () => {
        completed = true;
        notify();
      },
    },
  );
  return {
    events,
    errors,
    get completed() {
      return completed;
    },
    dispose,
    waitFor: (condition: () => boolean, timeoutMs = 10_000) => waitFor(condition, timeoutMs),
  };
}
