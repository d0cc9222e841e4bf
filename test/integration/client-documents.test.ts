import { print } from 'graphql';
import { describe, expect, it } from 'vitest';
import * as documents from '../../client/src/gql/graphql.ts';
import { useTestServer } from '../helpers/server.ts';

const { server } = useTestServer();

const operations = Object.entries(documents)
  .filter(([name]) => name.endsWith('Document'))
  .map(([name, document]) => [name, print(document as Parameters<typeof print>[0])] as const)
  .filter(([, text]) => !text.startsWith('subscription'));

/** Inputs with required fields, for the documents that take them (the rest take `{}`); ids name nothing, so nothing is changed. */
const INPUTS: Record<string, unknown> = {
  CreateAlertChannelDocument: { name: 'documents test', kind: 'EMAIL', recipients: ['ops@example.com'] },
  CreateAlertRuleDocument: { name: 'documents test', kind: 'RUN_ERROR', channelIds: [] },
  UpdateAlertRuleDocument: { name: 'documents test', kind: 'RUN_ERROR', channelIds: [] },
  // Refused for its definition, so nothing is made.
  CreateScraperDocument: { slug: 'documents-test', name: 'documents test', sourceId: '1', config: 'format: nothing' },
};

describe('the admin’s queries and mutations', () => {
  // Depth and cost limits are checked by the server only: a document can pass codegen and be refused.
  it.each(operations)('%s passes the server’s validation, depth and cost limits', async (name, text) => {
    const variables = {
      id: '1',
      scraperId: '1',
      sourceId: '1',
      days: 7,
      query: 'documents test',
      jobId: '1',
      runId: '1',
      ids: ['1'],
      slug: 'none',
      format: name === 'RunLogsExportDocument' ? 'TXT' : 'CSV',
      status: 'APPROVED',
      minutes: 0,
      enabled: true,
      cron: '@hourly',
      timezone: 'UTC',
      labels: ['eu'],
      input: INPUTS[name] ?? {},
    };
    const { errors } = await server.admin.request(text, variables);
    // An export link of a run that does not exist is refused as such: the document itself passed.
    expect((errors ?? []).filter((e: { extensions?: { code?: string } }) => e.extensions?.code !== 'NOT_FOUND')).toEqual([]);
  });
});
