import { print } from 'graphql';
import { describe, expect, it } from 'vitest';
import * as documents from '../../client/src/gql/graphql.ts';
import { useTestServer } from '../helpers/server.ts';

const { server } = useTestServer();

const operations = Object.entries(documents)
  .filter(([name]) => name.endsWith('Document'))
  .map(([name, document]) => [name, print(document as Parameters<typeof print>[0])] as const)
  .filter(([, text]) => !text.startsWith('subscription'));

describe('the admin’s queries and mutations', () => {
  // Depth and cost limits are checked by the server only: a document can pass codegen and be refused.
  it.each(operations)('%s passes the server’s validation, depth and cost limits', async (_name, text) => {
    const variables = { id: '1', scraperId: '1', jobId: '1', ids: ['1'], status: 'APPROVED', input: {} };
    const { errors } = await server.admin.request(text, variables);
    expect(errors ?? []).toEqual([]);
  });
});
