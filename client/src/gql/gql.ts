/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

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
    "\n  query ViewerRole {\n    viewer {\n      role\n    }\n  }\n": typeof types.ViewerRoleDocument,
    "\n  fragment RunRow on Run {\n    id\n    status\n    triggeredBy\n    queuedAt\n    durationSeconds\n    productsFound\n    logCounts {\n      warning\n      error\n      critical\n    }\n    scraper {\n      id\n      name\n    }\n  }\n": typeof types.RunRowFragmentDoc,
    "\n  query Flags($status: FlagStatus, $kind: FlagKind, $first: Int, $after: String) {\n    flags(status: $status, kind: $kind, first: $first, after: $after) {\n      edges {\n        node {\n          id\n          kind\n          status\n          detail\n          createdAt\n          product {\n            id\n            name\n            sku\n            price\n            source {\n              name\n            }\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.FlagsDocument,
    "\n  mutation ResolveFlags($ids: [ID!]!, $status: FlagStatus!) {\n    resolveFlags(ids: $ids, status: $status) {\n      __typename\n      ... on MutationResolveFlagsSuccess {\n        data {\n          updated\n          flags {\n            id\n            status\n            resolvedAt\n          }\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.ResolveFlagsDocument,
    "\n  query Overview {\n    health(days: 7) {\n      successRate\n      scraper {\n        id\n      }\n    }\n    quality {\n      missingFields {\n        products\n      }\n      priceOutliers(limit: 500) {\n        price\n      }\n    }\n    pendingFlags: flags(status: PENDING, first: 200) {\n      edges {\n        node {\n          id\n        }\n      }\n      pageInfo {\n        hasNextPage\n      }\n    }\n    running: runs(filter: { status: RUNNING }, first: 100) {\n      edges {\n        node {\n          id\n        }\n      }\n    }\n    latest: runs(first: 10) {\n      edges {\n        node {\n          ...RunRow\n        }\n      }\n    }\n  }\n": typeof types.OverviewDocument,
    "\n  query Quality {\n    quality {\n      missingFields {\n        products\n        missingThc\n        missingThcRatio\n        missingCbd\n        missingCbdRatio\n        missingBrand\n        missingBrandRatio\n      }\n      categories {\n        category\n        count\n      }\n      priceOutliers(limit: 100) {\n        category\n        price\n        lowerBound\n        upperBound\n        product {\n          id\n          name\n          sku\n          source {\n            name\n          }\n        }\n      }\n    }\n    freshness {\n      status\n      ageSeconds\n      lastSuccessAt\n      source {\n        id\n        name\n        staleAfterMinutes\n        criticalAfterMinutes\n      }\n    }\n  }\n": typeof types.QualityDocument,
    "\n  fragment RunDetailFields on Run {\n    id\n    status\n    triggeredBy\n    queuedAt\n    startedAt\n    completedAt\n    durationSeconds\n    retryCount\n    productsFound\n    productsProcessed\n    flagsCreated\n    errorType\n    errorMessage\n    lastSeq\n    logCounts {\n      debug\n      info\n      warning\n      error\n      critical\n    }\n    runner {\n      name\n    }\n    scraper {\n      id\n      name\n    }\n  }\n": typeof types.RunDetailFieldsFragmentDoc,
    "\n  query RunDetail($id: ID!) {\n    run(id: $id) {\n      ...RunDetailFields\n    }\n  }\n": typeof types.RunDetailDocument,
    "\n  subscription RunDetailUpdated($jobId: ID!) {\n    runUpdated(jobId: $jobId) {\n      ...RunDetailFields\n    }\n  }\n": typeof types.RunDetailUpdatedDocument,
    "\n  mutation CancelRun($jobId: ID!) {\n    cancelRun(jobId: $jobId) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.CancelRunDocument,
    "\n  subscription JobLogs($jobId: ID!, $afterSeq: Int) {\n    jobLogs(jobId: $jobId, afterSeq: $afterSeq) {\n      lastSeq\n      lines {\n        seq\n        level\n        message\n        timestamp\n      }\n      ended {\n        status\n        retry {\n          id\n        }\n      }\n    }\n  }\n": typeof types.JobLogsDocument,
    "\n  query Runners {\n    runners {\n      id\n      name\n      createdAt\n      lastSeenAt\n      revokedAt\n      currentRun {\n        id\n        status\n        scraper {\n          name\n        }\n      }\n    }\n  }\n": typeof types.RunnersDocument,
    "\n  subscription RunnersRunUpdated {\n    runUpdated {\n      id\n    }\n  }\n": typeof types.RunnersRunUpdatedDocument,
    "\n  query Runs($filter: RunFilter, $first: Int, $after: String) {\n    scrapers {\n      id\n      name\n    }\n    runs(filter: $filter, first: $first, after: $after) {\n      edges {\n        node {\n          ...RunRow\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.RunsDocument,
    "\n  fragment ScraperFields on Scraper {\n    id\n    slug\n    name\n    cron\n    timezone\n    enabled\n    paused\n    source {\n      name\n    }\n  }\n": typeof types.ScraperFieldsFragmentDoc,
    "\n  mutation TriggerRun($scraperId: ID!, $ifActive: IfActive) {\n    triggerRun(scraperId: $scraperId, ifActive: $ifActive) {\n      __typename\n      ... on MutationTriggerRunSuccess {\n        data {\n          ...RunRow\n        }\n      }\n      ... on RunInProgressError {\n        activeRun {\n          id\n          status\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.TriggerRunDocument,
    "\n  mutation PauseScraper($scraperId: ID!) {\n    pauseScraper(scraperId: $scraperId) {\n      __typename\n      ... on MutationPauseScraperSuccess {\n        data {\n          id\n          paused\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.PauseScraperDocument,
    "\n  mutation ResumeScraper($scraperId: ID!) {\n    resumeScraper(scraperId: $scraperId) {\n      __typename\n      ... on MutationResumeScraperSuccess {\n        data {\n          id\n          paused\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.ResumeScraperDocument,
    "\n  mutation UpdateScraper($id: ID!, $input: UpdateScraperInput!) {\n    updateScraper(id: $id, input: $input) {\n      __typename\n      ... on MutationUpdateScraperSuccess {\n        data {\n          ...ScraperFields\n        }\n      }\n      ... on ValidationError {\n        message\n        issues {\n          path\n          message\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.UpdateScraperDocument,
    "\n  query Scrapers {\n    scrapers {\n      ...ScraperFields\n    }\n    health(days: 7) {\n      scraper {\n        id\n      }\n      successRate\n      averageDurationSeconds\n      runCount\n      finishedCount\n      lastRun {\n        ...RunRow\n      }\n    }\n    runs(first: 10) {\n      edges {\n        node {\n          ...RunRow\n        }\n      }\n    }\n  }\n": typeof types.ScrapersDocument,
    "\n  subscription RunUpdated($scraperId: ID) {\n    runUpdated(scraperId: $scraperId) {\n      ...RunRow\n    }\n  }\n": typeof types.RunUpdatedDocument,
};
const documents: Documents = {
    "\n  query ViewerRole {\n    viewer {\n      role\n    }\n  }\n": types.ViewerRoleDocument,
    "\n  fragment RunRow on Run {\n    id\n    status\n    triggeredBy\n    queuedAt\n    durationSeconds\n    productsFound\n    logCounts {\n      warning\n      error\n      critical\n    }\n    scraper {\n      id\n      name\n    }\n  }\n": types.RunRowFragmentDoc,
    "\n  query Flags($status: FlagStatus, $kind: FlagKind, $first: Int, $after: String) {\n    flags(status: $status, kind: $kind, first: $first, after: $after) {\n      edges {\n        node {\n          id\n          kind\n          status\n          detail\n          createdAt\n          product {\n            id\n            name\n            sku\n            price\n            source {\n              name\n            }\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.FlagsDocument,
    "\n  mutation ResolveFlags($ids: [ID!]!, $status: FlagStatus!) {\n    resolveFlags(ids: $ids, status: $status) {\n      __typename\n      ... on MutationResolveFlagsSuccess {\n        data {\n          updated\n          flags {\n            id\n            status\n            resolvedAt\n          }\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.ResolveFlagsDocument,
    "\n  query Overview {\n    health(days: 7) {\n      successRate\n      scraper {\n        id\n      }\n    }\n    quality {\n      missingFields {\n        products\n      }\n      priceOutliers(limit: 500) {\n        price\n      }\n    }\n    pendingFlags: flags(status: PENDING, first: 200) {\n      edges {\n        node {\n          id\n        }\n      }\n      pageInfo {\n        hasNextPage\n      }\n    }\n    running: runs(filter: { status: RUNNING }, first: 100) {\n      edges {\n        node {\n          id\n        }\n      }\n    }\n    latest: runs(first: 10) {\n      edges {\n        node {\n          ...RunRow\n        }\n      }\n    }\n  }\n": types.OverviewDocument,
    "\n  query Quality {\n    quality {\n      missingFields {\n        products\n        missingThc\n        missingThcRatio\n        missingCbd\n        missingCbdRatio\n        missingBrand\n        missingBrandRatio\n      }\n      categories {\n        category\n        count\n      }\n      priceOutliers(limit: 100) {\n        category\n        price\n        lowerBound\n        upperBound\n        product {\n          id\n          name\n          sku\n          source {\n            name\n          }\n        }\n      }\n    }\n    freshness {\n      status\n      ageSeconds\n      lastSuccessAt\n      source {\n        id\n        name\n        staleAfterMinutes\n        criticalAfterMinutes\n      }\n    }\n  }\n": types.QualityDocument,
    "\n  fragment RunDetailFields on Run {\n    id\n    status\n    triggeredBy\n    queuedAt\n    startedAt\n    completedAt\n    durationSeconds\n    retryCount\n    productsFound\n    productsProcessed\n    flagsCreated\n    errorType\n    errorMessage\n    lastSeq\n    logCounts {\n      debug\n      info\n      warning\n      error\n      critical\n    }\n    runner {\n      name\n    }\n    scraper {\n      id\n      name\n    }\n  }\n": types.RunDetailFieldsFragmentDoc,
    "\n  query RunDetail($id: ID!) {\n    run(id: $id) {\n      ...RunDetailFields\n    }\n  }\n": types.RunDetailDocument,
    "\n  subscription RunDetailUpdated($jobId: ID!) {\n    runUpdated(jobId: $jobId) {\n      ...RunDetailFields\n    }\n  }\n": types.RunDetailUpdatedDocument,
    "\n  mutation CancelRun($jobId: ID!) {\n    cancelRun(jobId: $jobId) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.CancelRunDocument,
    "\n  subscription JobLogs($jobId: ID!, $afterSeq: Int) {\n    jobLogs(jobId: $jobId, afterSeq: $afterSeq) {\n      lastSeq\n      lines {\n        seq\n        level\n        message\n        timestamp\n      }\n      ended {\n        status\n        retry {\n          id\n        }\n      }\n    }\n  }\n": types.JobLogsDocument,
    "\n  query Runners {\n    runners {\n      id\n      name\n      createdAt\n      lastSeenAt\n      revokedAt\n      currentRun {\n        id\n        status\n        scraper {\n          name\n        }\n      }\n    }\n  }\n": types.RunnersDocument,
    "\n  subscription RunnersRunUpdated {\n    runUpdated {\n      id\n    }\n  }\n": types.RunnersRunUpdatedDocument,
    "\n  query Runs($filter: RunFilter, $first: Int, $after: String) {\n    scrapers {\n      id\n      name\n    }\n    runs(filter: $filter, first: $first, after: $after) {\n      edges {\n        node {\n          ...RunRow\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.RunsDocument,
    "\n  fragment ScraperFields on Scraper {\n    id\n    slug\n    name\n    cron\n    timezone\n    enabled\n    paused\n    source {\n      name\n    }\n  }\n": types.ScraperFieldsFragmentDoc,
    "\n  mutation TriggerRun($scraperId: ID!, $ifActive: IfActive) {\n    triggerRun(scraperId: $scraperId, ifActive: $ifActive) {\n      __typename\n      ... on MutationTriggerRunSuccess {\n        data {\n          ...RunRow\n        }\n      }\n      ... on RunInProgressError {\n        activeRun {\n          id\n          status\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.TriggerRunDocument,
    "\n  mutation PauseScraper($scraperId: ID!) {\n    pauseScraper(scraperId: $scraperId) {\n      __typename\n      ... on MutationPauseScraperSuccess {\n        data {\n          id\n          paused\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.PauseScraperDocument,
    "\n  mutation ResumeScraper($scraperId: ID!) {\n    resumeScraper(scraperId: $scraperId) {\n      __typename\n      ... on MutationResumeScraperSuccess {\n        data {\n          id\n          paused\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.ResumeScraperDocument,
    "\n  mutation UpdateScraper($id: ID!, $input: UpdateScraperInput!) {\n    updateScraper(id: $id, input: $input) {\n      __typename\n      ... on MutationUpdateScraperSuccess {\n        data {\n          ...ScraperFields\n        }\n      }\n      ... on ValidationError {\n        message\n        issues {\n          path\n          message\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.UpdateScraperDocument,
    "\n  query Scrapers {\n    scrapers {\n      ...ScraperFields\n    }\n    health(days: 7) {\n      scraper {\n        id\n      }\n      successRate\n      averageDurationSeconds\n      runCount\n      finishedCount\n      lastRun {\n        ...RunRow\n      }\n    }\n    runs(first: 10) {\n      edges {\n        node {\n          ...RunRow\n        }\n      }\n    }\n  }\n": types.ScrapersDocument,
    "\n  subscription RunUpdated($scraperId: ID) {\n    runUpdated(scraperId: $scraperId) {\n      ...RunRow\n    }\n  }\n": types.RunUpdatedDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ViewerRole {\n    viewer {\n      role\n    }\n  }\n"): (typeof documents)["\n  query ViewerRole {\n    viewer {\n      role\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment RunRow on Run {\n    id\n    status\n    triggeredBy\n    queuedAt\n    durationSeconds\n    productsFound\n    logCounts {\n      warning\n      error\n      critical\n    }\n    scraper {\n      id\n      name\n    }\n  }\n"): (typeof documents)["\n  fragment RunRow on Run {\n    id\n    status\n    triggeredBy\n    queuedAt\n    durationSeconds\n    productsFound\n    logCounts {\n      warning\n      error\n      critical\n    }\n    scraper {\n      id\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Flags($status: FlagStatus, $kind: FlagKind, $first: Int, $after: String) {\n    flags(status: $status, kind: $kind, first: $first, after: $after) {\n      edges {\n        node {\n          id\n          kind\n          status\n          detail\n          createdAt\n          product {\n            id\n            name\n            sku\n            price\n            source {\n              name\n            }\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Flags($status: FlagStatus, $kind: FlagKind, $first: Int, $after: String) {\n    flags(status: $status, kind: $kind, first: $first, after: $after) {\n      edges {\n        node {\n          id\n          kind\n          status\n          detail\n          createdAt\n          product {\n            id\n            name\n            sku\n            price\n            source {\n              name\n            }\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResolveFlags($ids: [ID!]!, $status: FlagStatus!) {\n    resolveFlags(ids: $ids, status: $status) {\n      __typename\n      ... on MutationResolveFlagsSuccess {\n        data {\n          updated\n          flags {\n            id\n            status\n            resolvedAt\n          }\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ResolveFlags($ids: [ID!]!, $status: FlagStatus!) {\n    resolveFlags(ids: $ids, status: $status) {\n      __typename\n      ... on MutationResolveFlagsSuccess {\n        data {\n          updated\n          flags {\n            id\n            status\n            resolvedAt\n          }\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Overview {\n    health(days: 7) {\n      successRate\n      scraper {\n        id\n      }\n    }\n    quality {\n      missingFields {\n        products\n      }\n      priceOutliers(limit: 500) {\n        price\n      }\n    }\n    pendingFlags: flags(status: PENDING, first: 200) {\n      edges {\n        node {\n          id\n        }\n      }\n      pageInfo {\n        hasNextPage\n      }\n    }\n    running: runs(filter: { status: RUNNING }, first: 100) {\n      edges {\n        node {\n          id\n        }\n      }\n    }\n    latest: runs(first: 10) {\n      edges {\n        node {\n          ...RunRow\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Overview {\n    health(days: 7) {\n      successRate\n      scraper {\n        id\n      }\n    }\n    quality {\n      missingFields {\n        products\n      }\n      priceOutliers(limit: 500) {\n        price\n      }\n    }\n    pendingFlags: flags(status: PENDING, first: 200) {\n      edges {\n        node {\n          id\n        }\n      }\n      pageInfo {\n        hasNextPage\n      }\n    }\n    running: runs(filter: { status: RUNNING }, first: 100) {\n      edges {\n        node {\n          id\n        }\n      }\n    }\n    latest: runs(first: 10) {\n      edges {\n        node {\n          ...RunRow\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Quality {\n    quality {\n      missingFields {\n        products\n        missingThc\n        missingThcRatio\n        missingCbd\n        missingCbdRatio\n        missingBrand\n        missingBrandRatio\n      }\n      categories {\n        category\n        count\n      }\n      priceOutliers(limit: 100) {\n        category\n        price\n        lowerBound\n        upperBound\n        product {\n          id\n          name\n          sku\n          source {\n            name\n          }\n        }\n      }\n    }\n    freshness {\n      status\n      ageSeconds\n      lastSuccessAt\n      source {\n        id\n        name\n        staleAfterMinutes\n        criticalAfterMinutes\n      }\n    }\n  }\n"): (typeof documents)["\n  query Quality {\n    quality {\n      missingFields {\n        products\n        missingThc\n        missingThcRatio\n        missingCbd\n        missingCbdRatio\n        missingBrand\n        missingBrandRatio\n      }\n      categories {\n        category\n        count\n      }\n      priceOutliers(limit: 100) {\n        category\n        price\n        lowerBound\n        upperBound\n        product {\n          id\n          name\n          sku\n          source {\n            name\n          }\n        }\n      }\n    }\n    freshness {\n      status\n      ageSeconds\n      lastSuccessAt\n      source {\n        id\n        name\n        staleAfterMinutes\n        criticalAfterMinutes\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment RunDetailFields on Run {\n    id\n    status\n    triggeredBy\n    queuedAt\n    startedAt\n    completedAt\n    durationSeconds\n    retryCount\n    productsFound\n    productsProcessed\n    flagsCreated\n    errorType\n    errorMessage\n    lastSeq\n    logCounts {\n      debug\n      info\n      warning\n      error\n      critical\n    }\n    runner {\n      name\n    }\n    scraper {\n      id\n      name\n    }\n  }\n"): (typeof documents)["\n  fragment RunDetailFields on Run {\n    id\n    status\n    triggeredBy\n    queuedAt\n    startedAt\n    completedAt\n    durationSeconds\n    retryCount\n    productsFound\n    productsProcessed\n    flagsCreated\n    errorType\n    errorMessage\n    lastSeq\n    logCounts {\n      debug\n      info\n      warning\n      error\n      critical\n    }\n    runner {\n      name\n    }\n    scraper {\n      id\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RunDetail($id: ID!) {\n    run(id: $id) {\n      ...RunDetailFields\n    }\n  }\n"): (typeof documents)["\n  query RunDetail($id: ID!) {\n    run(id: $id) {\n      ...RunDetailFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription RunDetailUpdated($jobId: ID!) {\n    runUpdated(jobId: $jobId) {\n      ...RunDetailFields\n    }\n  }\n"): (typeof documents)["\n  subscription RunDetailUpdated($jobId: ID!) {\n    runUpdated(jobId: $jobId) {\n      ...RunDetailFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelRun($jobId: ID!) {\n    cancelRun(jobId: $jobId) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CancelRun($jobId: ID!) {\n    cancelRun(jobId: $jobId) {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription JobLogs($jobId: ID!, $afterSeq: Int) {\n    jobLogs(jobId: $jobId, afterSeq: $afterSeq) {\n      lastSeq\n      lines {\n        seq\n        level\n        message\n        timestamp\n      }\n      ended {\n        status\n        retry {\n          id\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription JobLogs($jobId: ID!, $afterSeq: Int) {\n    jobLogs(jobId: $jobId, afterSeq: $afterSeq) {\n      lastSeq\n      lines {\n        seq\n        level\n        message\n        timestamp\n      }\n      ended {\n        status\n        retry {\n          id\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Runners {\n    runners {\n      id\n      name\n      createdAt\n      lastSeenAt\n      revokedAt\n      currentRun {\n        id\n        status\n        scraper {\n          name\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Runners {\n    runners {\n      id\n      name\n      createdAt\n      lastSeenAt\n      revokedAt\n      currentRun {\n        id\n        status\n        scraper {\n          name\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription RunnersRunUpdated {\n    runUpdated {\n      id\n    }\n  }\n"): (typeof documents)["\n  subscription RunnersRunUpdated {\n    runUpdated {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Runs($filter: RunFilter, $first: Int, $after: String) {\n    scrapers {\n      id\n      name\n    }\n    runs(filter: $filter, first: $first, after: $after) {\n      edges {\n        node {\n          ...RunRow\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Runs($filter: RunFilter, $first: Int, $after: String) {\n    scrapers {\n      id\n      name\n    }\n    runs(filter: $filter, first: $first, after: $after) {\n      edges {\n        node {\n          ...RunRow\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ScraperFields on Scraper {\n    id\n    slug\n    name\n    cron\n    timezone\n    enabled\n    paused\n    source {\n      name\n    }\n  }\n"): (typeof documents)["\n  fragment ScraperFields on Scraper {\n    id\n    slug\n    name\n    cron\n    timezone\n    enabled\n    paused\n    source {\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation TriggerRun($scraperId: ID!, $ifActive: IfActive) {\n    triggerRun(scraperId: $scraperId, ifActive: $ifActive) {\n      __typename\n      ... on MutationTriggerRunSuccess {\n        data {\n          ...RunRow\n        }\n      }\n      ... on RunInProgressError {\n        activeRun {\n          id\n          status\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation TriggerRun($scraperId: ID!, $ifActive: IfActive) {\n    triggerRun(scraperId: $scraperId, ifActive: $ifActive) {\n      __typename\n      ... on MutationTriggerRunSuccess {\n        data {\n          ...RunRow\n        }\n      }\n      ... on RunInProgressError {\n        activeRun {\n          id\n          status\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PauseScraper($scraperId: ID!) {\n    pauseScraper(scraperId: $scraperId) {\n      __typename\n      ... on MutationPauseScraperSuccess {\n        data {\n          id\n          paused\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation PauseScraper($scraperId: ID!) {\n    pauseScraper(scraperId: $scraperId) {\n      __typename\n      ... on MutationPauseScraperSuccess {\n        data {\n          id\n          paused\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResumeScraper($scraperId: ID!) {\n    resumeScraper(scraperId: $scraperId) {\n      __typename\n      ... on MutationResumeScraperSuccess {\n        data {\n          id\n          paused\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ResumeScraper($scraperId: ID!) {\n    resumeScraper(scraperId: $scraperId) {\n      __typename\n      ... on MutationResumeScraperSuccess {\n        data {\n          id\n          paused\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateScraper($id: ID!, $input: UpdateScraperInput!) {\n    updateScraper(id: $id, input: $input) {\n      __typename\n      ... on MutationUpdateScraperSuccess {\n        data {\n          ...ScraperFields\n        }\n      }\n      ... on ValidationError {\n        message\n        issues {\n          path\n          message\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateScraper($id: ID!, $input: UpdateScraperInput!) {\n    updateScraper(id: $id, input: $input) {\n      __typename\n      ... on MutationUpdateScraperSuccess {\n        data {\n          ...ScraperFields\n        }\n      }\n      ... on ValidationError {\n        message\n        issues {\n          path\n          message\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Scrapers {\n    scrapers {\n      ...ScraperFields\n    }\n    health(days: 7) {\n      scraper {\n        id\n      }\n      successRate\n      averageDurationSeconds\n      runCount\n      finishedCount\n      lastRun {\n        ...RunRow\n      }\n    }\n    runs(first: 10) {\n      edges {\n        node {\n          ...RunRow\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Scrapers {\n    scrapers {\n      ...ScraperFields\n    }\n    health(days: 7) {\n      scraper {\n        id\n      }\n      successRate\n      averageDurationSeconds\n      runCount\n      finishedCount\n      lastRun {\n        ...RunRow\n      }\n    }\n    runs(first: 10) {\n      edges {\n        node {\n          ...RunRow\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription RunUpdated($scraperId: ID) {\n    runUpdated(scraperId: $scraperId) {\n      ...RunRow\n    }\n  }\n"): (typeof documents)["\n  subscription RunUpdated($scraperId: ID) {\n    runUpdated(scraperId: $scraperId) {\n      ...RunRow\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;