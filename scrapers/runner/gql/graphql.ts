/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type LogLevel =
  | 'CRITICAL'
  | 'DEBUG'
  | 'ERROR'
  | 'INFO'
  | 'WARNING';

export type LogLineInput = {
  level: LogLevel;
  message: string;
  /** The runner's clock; defaults to receipt time. */
  timestamp?: string | null | undefined;
};

/** One scraped product. Missing values are sent as null and stored as missing. */
export type ProductInput = {
  brand?: string | null | undefined;
  category?: string | null | undefined;
  cbdPercent?: number | null | undefined;
  name: string;
  price?: number | null | undefined;
  sku: string;
  thcPercent?: number | null | undefined;
  url?: string | null | undefined;
};

export type RunResultInput = {
  errorMessage?: string | null | undefined;
  errorType?: string | null | undefined;
  /** When the runner finished the run, on its clock. With startedAt, durationSeconds is finishedAt − startedAt (bounded by the time between the claim and the outcome reaching the server), so that time spent waiting for an unreachable API does not count. */
  finishedAt?: string | null | undefined;
  flagsCreated?: number | null | undefined;
  /** true when every page of the listing was fetched and parsed, none failing or cut off by a limit. Only a run that ends SUCCESS (after the server's verdict) with a complete listing marks the products of its scraper it did not see as gone. Left out, it is false: nothing is marked gone. */
  listingComplete?: boolean | null | undefined;
  productsFound: number;
  productsProcessed: number;
  /** When the runner started the run, on its clock. With finishedAt, the run's duration is the runner's own measure. */
  startedAt?: string | null | undefined;
  /** SUCCESS, WARNING or ERROR. The server judges the run too: a SUCCESS that raised flags, found no products or far fewer than expected, or broke a quality gate is stored as WARNING, with its reasons in Run.warnings. */
  status: RunStatus;
};

export type RunStatus =
  | 'CANCELLED'
  | 'ERROR'
  | 'QUEUED'
  | 'RUNNING'
  | 'SUCCESS'
  | 'WARNING';

type Refusal_BatchTooLargeError_Fragment = { message: string };

type Refusal_ChannelDisabledError_Fragment = { message: string };

type Refusal_ChannelNameTakenError_Fragment = { message: string };

type Refusal_ChannelSettingsError_Fragment = { message: string };

type Refusal_IncidentResolvedError_Fragment = { message: string };

type Refusal_LogSearchTimeoutError_Fragment = { message: string };

type Refusal_NotFoundError_Fragment = { message: string };

type Refusal_RunAlreadyRetriedError_Fragment = { message: string };

type Refusal_RunInProgressError_Fragment = { message: string };

type Refusal_RunNotHeldError_Fragment = { message: string };

type Refusal_RunStateError_Fragment = { status: string, message: string };

type Refusal_RunnerLabelsNotGrantedError_Fragment = { message: string };

type Refusal_RunnerNameTakenError_Fragment = { message: string };

type Refusal_RunnerRevokedError_Fragment = { message: string };

type Refusal_ScraperDisabledError_Fragment = { message: string };

type Refusal_SlugTakenError_Fragment = { message: string };

type Refusal_SourceNameTakenError_Fragment = { message: string };

type Refusal_TooManyProductsError_Fragment = { message: string };

type Refusal_ValidationError_Fragment = { message: string, issues: Array<{ path: string, message: string }> };

export type RefusalFragment =
  | Refusal_BatchTooLargeError_Fragment
  | Refusal_ChannelDisabledError_Fragment
  | Refusal_ChannelNameTakenError_Fragment
  | Refusal_ChannelSettingsError_Fragment
  | Refusal_IncidentResolvedError_Fragment
  | Refusal_LogSearchTimeoutError_Fragment
  | Refusal_NotFoundError_Fragment
  | Refusal_RunAlreadyRetriedError_Fragment
  | Refusal_RunInProgressError_Fragment
  | Refusal_RunNotHeldError_Fragment
  | Refusal_RunStateError_Fragment
  | Refusal_RunnerLabelsNotGrantedError_Fragment
  | Refusal_RunnerNameTakenError_Fragment
  | Refusal_RunnerRevokedError_Fragment
  | Refusal_ScraperDisabledError_Fragment
  | Refusal_SlugTakenError_Fragment
  | Refusal_SourceNameTakenError_Fragment
  | Refusal_TooManyProductsError_Fragment
  | Refusal_ValidationError_Fragment
;

export type ClaimedRunFragment = { id: string, retryCount: number, scraper: { id: string, slug: string, name: string, config: unknown, source: { name: string, url: string } } };

export type ClaimWaitingMutationVariables = Exact<{
  waitSeconds: number;
  labels?: Array<string> | string | null | undefined;
}>;


export type ClaimWaitingMutation = { claimRun:
    | { __typename: 'MutationClaimRunSuccess', data: { id: string, retryCount: number, scraper: { id: string, slug: string, name: string, config: unknown, source: { name: string, url: string } } } }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'RunnerLabelsNotGrantedError', labels: Array<string>, message: string }
    | { __typename: 'ValidationError', message: string, issues: Array<{ path: string, message: string }> }
   | null };

export type WorkAvailableSubscriptionVariables = Exact<{
  labels?: Array<string> | string | null | undefined;
}>;


export type WorkAvailableSubscription = { workAvailable: { signalledAt: string } };

export type ClaimMutationVariables = Exact<{ [key: string]: never; }>;


export type ClaimMutation = { claimRun:
    | { __typename: 'MutationClaimRunSuccess', data: { id: string, retryCount: number, scraper: { id: string, slug: string, name: string, config: unknown, source: { name: string, url: string } } } }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'RunnerLabelsNotGrantedError', message: string }
    | { __typename: 'ValidationError', message: string, issues: Array<{ path: string, message: string }> }
   | null };

export type BeatMutationVariables = Exact<{
  jobId: string | number;
}>;


export type BeatMutation = { heartbeat:
    | { __typename: 'MutationHeartbeatSuccess', data: { status: RunStatus } }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'RunStateError', status: string, message: string }
    | { __typename: 'ValidationError', message: string, issues: Array<{ path: string, message: string }> }
   };

export type AppendMutationVariables = Exact<{
  jobId: string | number;
  batchId: string;
  logs: Array<LogLineInput> | LogLineInput;
}>;


export type AppendMutation = { appendLogs:
    | { __typename: 'BatchTooLargeError', message: string }
    | { __typename: 'MutationAppendLogsSuccess', data: { fromSeq: number, toSeq: number, duplicate: boolean } }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'RunStateError', status: string, message: string }
    | { __typename: 'ValidationError', message: string, issues: Array<{ path: string, message: string }> }
   };

export type ReportMutationVariables = Exact<{
  jobId: string | number;
  batchId: string;
  products: Array<ProductInput> | ProductInput;
}>;


export type ReportMutation = { reportProducts:
    | { __typename: 'MutationReportProductsSuccess', data: { stored: number, flagsCreated: number } }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'RunStateError', status: string, message: string }
    | { __typename: 'TooManyProductsError', message: string }
    | { __typename: 'ValidationError', message: string, issues: Array<{ path: string, message: string }> }
   };

export type CompleteMutationVariables = Exact<{
  jobId: string | number;
  result: RunResultInput;
}>;


export type CompleteMutation = { completeRun:
    | { __typename: 'MutationCompleteRunSuccess', data: { status: RunStatus } }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'RunStateError', status: string, message: string }
    | { __typename: 'ValidationError', message: string, issues: Array<{ path: string, message: string }> }
   };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const RefusalFragmentDoc = new TypedDocumentString(`
    fragment Refusal on Error {
  message
  ... on ValidationError {
    issues {
      path
      message
    }
  }
  ... on RunStateError {
    status
  }
}
    `, {"fragmentName":"Refusal"}) as unknown as TypedDocumentString<RefusalFragment, unknown>;
export const ClaimedRunFragmentDoc = new TypedDocumentString(`
    fragment ClaimedRun on Run {
  id
  retryCount
  scraper {
    id
    slug
    name
    config
    source {
      name
      url
    }
  }
}
    `, {"fragmentName":"ClaimedRun"}) as unknown as TypedDocumentString<ClaimedRunFragment, unknown>;
export const ClaimWaitingDocument = new TypedDocumentString(`
    mutation ClaimWaiting($waitSeconds: Int!, $labels: [String!]) {
  claimRun(waitSeconds: $waitSeconds, labels: $labels) {
    __typename
    ...Refusal
    ... on RunnerLabelsNotGrantedError {
      labels
    }
    ... on MutationClaimRunSuccess {
      data {
        ...ClaimedRun
      }
    }
  }
}
    fragment Refusal on Error {
  message
  ... on ValidationError {
    issues {
      path
      message
    }
  }
  ... on RunStateError {
    status
  }
}
fragment ClaimedRun on Run {
  id
  retryCount
  scraper {
    id
    slug
    name
    config
    source {
      name
      url
    }
  }
}`) as unknown as TypedDocumentString<ClaimWaitingMutation, ClaimWaitingMutationVariables>;
export const WorkAvailableDocument = new TypedDocumentString(`
    subscription WorkAvailable($labels: [String!]) {
  workAvailable(labels: $labels) {
    signalledAt
  }
}
    `) as unknown as TypedDocumentString<WorkAvailableSubscription, WorkAvailableSubscriptionVariables>;
export const ClaimDocument = new TypedDocumentString(`
    mutation Claim {
  claimRun {
    __typename
    ...Refusal
    ... on MutationClaimRunSuccess {
      data {
        ...ClaimedRun
      }
    }
  }
}
    fragment Refusal on Error {
  message
  ... on ValidationError {
    issues {
      path
      message
    }
  }
  ... on RunStateError {
    status
  }
}
fragment ClaimedRun on Run {
  id
  retryCount
  scraper {
    id
    slug
    name
    config
    source {
      name
      url
    }
  }
}`) as unknown as TypedDocumentString<ClaimMutation, ClaimMutationVariables>;
export const BeatDocument = new TypedDocumentString(`
    mutation Beat($jobId: ID!) {
  heartbeat(jobId: $jobId) {
    __typename
    ...Refusal
    ... on MutationHeartbeatSuccess {
      data {
        status
      }
    }
  }
}
    fragment Refusal on Error {
  message
  ... on ValidationError {
    issues {
      path
      message
    }
  }
  ... on RunStateError {
    status
  }
}`) as unknown as TypedDocumentString<BeatMutation, BeatMutationVariables>;
export const AppendDocument = new TypedDocumentString(`
    mutation Append($jobId: ID!, $batchId: String!, $logs: [LogLineInput!]!) {
  appendLogs(jobId: $jobId, batchId: $batchId, logs: $logs) {
    __typename
    ...Refusal
    ... on MutationAppendLogsSuccess {
      data {
        fromSeq
        toSeq
        duplicate
      }
    }
  }
}
    fragment Refusal on Error {
  message
  ... on ValidationError {
    issues {
      path
      message
    }
  }
  ... on RunStateError {
    status
  }
}`) as unknown as TypedDocumentString<AppendMutation, AppendMutationVariables>;
export const ReportDocument = new TypedDocumentString(`
    mutation Report($jobId: ID!, $batchId: String!, $products: [ProductInput!]!) {
  reportProducts(jobId: $jobId, batchId: $batchId, products: $products) {
    __typename
    ...Refusal
    ... on MutationReportProductsSuccess {
      data {
        stored
        flagsCreated
      }
    }
  }
}
    fragment Refusal on Error {
  message
  ... on ValidationError {
    issues {
      path
      message
    }
  }
  ... on RunStateError {
    status
  }
}`) as unknown as TypedDocumentString<ReportMutation, ReportMutationVariables>;
export const CompleteDocument = new TypedDocumentString(`
    mutation Complete($jobId: ID!, $result: RunResultInput!) {
  completeRun(jobId: $jobId, result: $result) {
    __typename
    ...Refusal
    ... on MutationCompleteRunSuccess {
      data {
        status
      }
    }
  }
}
    fragment Refusal on Error {
  message
  ... on ValidationError {
    issues {
      path
      message
    }
  }
  ... on RunStateError {
    status
  }
}`) as unknown as TypedDocumentString<CompleteMutation, CompleteMutationVariables>;