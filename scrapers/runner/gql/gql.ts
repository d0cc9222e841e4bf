/* eslint-disable */
import * as types from './graphql.ts';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment Refusal on Error {\n    message\n    ... on ValidationError {\n      issues {\n        path\n        message\n      }\n    }\n    ... on RunStateError {\n      status\n    }\n  }\n": typeof types.RefusalFragmentDoc,
    "\n  fragment ClaimedRun on Run {\n    id\n    retryCount\n    scraper {\n      id\n      slug\n      name\n      config\n      source {\n        name\n        url\n      }\n    }\n  }\n": typeof types.ClaimedRunFragmentDoc,
    "\n  mutation ClaimWaiting($waitSeconds: Int!, $labels: [String!]) {\n    claimRun(waitSeconds: $waitSeconds, labels: $labels) {\n      __typename\n      ...Refusal\n      ... on RunnerLabelsNotGrantedError {\n        labels\n      }\n      ... on MutationClaimRunSuccess {\n        data {\n          ...ClaimedRun\n        }\n      }\n    }\n  }\n": typeof types.ClaimWaitingDocument,
    "\n  subscription WorkAvailable($labels: [String!]) {\n    workAvailable(labels: $labels) {\n      signalledAt\n    }\n  }\n": typeof types.WorkAvailableDocument,
    "\n  mutation Claim {\n    claimRun {\n      __typename\n      ...Refusal\n      ... on MutationClaimRunSuccess {\n        data {\n          ...ClaimedRun\n        }\n      }\n    }\n  }\n": typeof types.ClaimDocument,
    "\n  mutation Beat($jobId: ID!) {\n    heartbeat(jobId: $jobId) {\n      __typename\n      ...Refusal\n      ... on MutationHeartbeatSuccess {\n        data {\n          status\n        }\n      }\n    }\n  }\n": typeof types.BeatDocument,
    "\n  mutation Append($jobId: ID!, $batchId: String!, $logs: [LogLineInput!]!) {\n    appendLogs(jobId: $jobId, batchId: $batchId, logs: $logs) {\n      __typename\n      ...Refusal\n      ... on MutationAppendLogsSuccess {\n        data {\n          fromSeq\n          toSeq\n          duplicate\n        }\n      }\n    }\n  }\n": typeof types.AppendDocument,
    "\n  mutation Report($jobId: ID!, $batchId: String!, $products: [ProductInput!]!) {\n    reportProducts(jobId: $jobId, batchId: $batchId, products: $products) {\n      __typename\n      ...Refusal\n      ... on MutationReportProductsSuccess {\n        data {\n          stored\n          flagsCreated\n        }\n      }\n    }\n  }\n": typeof types.ReportDocument,
    "\n  mutation Complete($jobId: ID!, $result: RunResultInput!) {\n    completeRun(jobId: $jobId, result: $result) {\n      __typename\n      ...Refusal\n      ... on MutationCompleteRunSuccess {\n        data {\n          status\n        }\n      }\n    }\n  }\n": typeof types.CompleteDocument,
};
const documents: Documents = {
    "\n  fragment Refusal on Error {\n    message\n    ... on ValidationError {\n      issues {\n        path\n        message\n      }\n    }\n    ... on RunStateError {\n      status\n    }\n  }\n": types.RefusalFragmentDoc,
    "\n  fragment ClaimedRun on Run {\n    id\n    retryCount\n    scraper {\n      id\n      slug\n      name\n      config\n      source {\n        name\n        url\n      }\n    }\n  }\n": types.ClaimedRunFragmentDoc,
    "\n  mutation ClaimWaiting($waitSeconds: Int!, $labels: [String!]) {\n    claimRun(waitSeconds: $waitSeconds, labels: $labels) {\n      __typename\n      ...Refusal\n      ... on RunnerLabelsNotGrantedError {\n        labels\n      }\n      ... on MutationClaimRunSuccess {\n        data {\n          ...ClaimedRun\n        }\n      }\n    }\n  }\n": types.ClaimWaitingDocument,
    "\n  subscription WorkAvailable($labels: [String!]) {\n    workAvailable(labels: $labels) {\n      signalledAt\n    }\n  }\n": types.WorkAvailableDocument,
    "\n  mutation Claim {\n    claimRun {\n      __typename\n      ...Refusal\n      ... on MutationClaimRunSuccess {\n        data {\n          ...ClaimedRun\n        }\n      }\n    }\n  }\n": types.ClaimDocument,
    "\n  mutation Beat($jobId: ID!) {\n    heartbeat(jobId: $jobId) {\n      __typename\n      ...Refusal\n      ... on MutationHeartbeatSuccess {\n        data {\n          status\n        }\n      }\n    }\n  }\n": types.BeatDocument,
    "\n  mutation Append($jobId: ID!, $batchId: String!, $logs: [LogLineInput!]!) {\n    appendLogs(jobId: $jobId, batchId: $batchId, logs: $logs) {\n      __typename\n      ...Refusal\n      ... on MutationAppendLogsSuccess {\n        data {\n          fromSeq\n          toSeq\n          duplicate\n        }\n      }\n    }\n  }\n": types.AppendDocument,
    "\n  mutation Report($jobId: ID!, $batchId: String!, $products: [ProductInput!]!) {\n    reportProducts(jobId: $jobId, batchId: $batchId, products: $products) {\n      __typename\n      ...Refusal\n      ... on MutationReportProductsSuccess {\n        data {\n          stored\n          flagsCreated\n        }\n      }\n    }\n  }\n": types.ReportDocument,
    "\n  mutation Complete($jobId: ID!, $result: RunResultInput!) {\n    completeRun(jobId: $jobId, result: $result) {\n      __typename\n      ...Refusal\n      ... on MutationCompleteRunSuccess {\n        data {\n          status\n        }\n      }\n    }\n  }\n": types.CompleteDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment Refusal on Error {\n    message\n    ... on ValidationError {\n      issues {\n        path\n        message\n      }\n    }\n    ... on RunStateError {\n      status\n    }\n  }\n"): typeof import('./graphql.ts').RefusalFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ClaimedRun on Run {\n    id\n    retryCount\n    scraper {\n      id\n      slug\n      name\n      config\n      source {\n        name\n        url\n      }\n    }\n  }\n"): typeof import('./graphql.ts').ClaimedRunFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ClaimWaiting($waitSeconds: Int!, $labels: [String!]) {\n    claimRun(waitSeconds: $waitSeconds, labels: $labels) {\n      __typename\n      ...Refusal\n      ... on RunnerLabelsNotGrantedError {\n        labels\n      }\n      ... on MutationClaimRunSuccess {\n        data {\n          ...ClaimedRun\n        }\n      }\n    }\n  }\n"): typeof import('./graphql.ts').ClaimWaitingDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WorkAvailable($labels: [String!]) {\n    workAvailable(labels: $labels) {\n      signalledAt\n    }\n  }\n"): typeof import('./graphql.ts').WorkAvailableDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Claim {\n    claimRun {\n      __typename\n      ...Refusal\n      ... on MutationClaimRunSuccess {\n        data {\n          ...ClaimedRun\n        }\n      }\n    }\n  }\n"): typeof import('./graphql.ts').ClaimDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Beat($jobId: ID!) {\n    heartbeat(jobId: $jobId) {\n      __typename\n      ...Refusal\n      ... on MutationHeartbeatSuccess {\n        data {\n          status\n        }\n      }\n    }\n  }\n"): typeof import('./graphql.ts').BeatDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Append($jobId: ID!, $batchId: String!, $logs: [LogLineInput!]!) {\n    appendLogs(jobId: $jobId, batchId: $batchId, logs: $logs) {\n      __typename\n      ...Refusal\n      ... on MutationAppendLogsSuccess {\n        data {\n          fromSeq\n          toSeq\n          duplicate\n        }\n      }\n    }\n  }\n"): typeof import('./graphql.ts').AppendDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Report($jobId: ID!, $batchId: String!, $products: [ProductInput!]!) {\n    reportProducts(jobId: $jobId, batchId: $batchId, products: $products) {\n      __typename\n      ...Refusal\n      ... on MutationReportProductsSuccess {\n        data {\n          stored\n          flagsCreated\n        }\n      }\n    }\n  }\n"): typeof import('./graphql.ts').ReportDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Complete($jobId: ID!, $result: RunResultInput!) {\n    completeRun(jobId: $jobId, result: $result) {\n      __typename\n      ...Refusal\n      ... on MutationCompleteRunSuccess {\n        data {\n          status\n        }\n      }\n    }\n  }\n"): typeof import('./graphql.ts').CompleteDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
