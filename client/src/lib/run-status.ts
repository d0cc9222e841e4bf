/** Which run statuses are final. */
import type { RunStatus } from '@/gql/graphql';

export const FINISHED: ReadonlySet<RunStatus> = new Set(['SUCCESS', 'WARNING', 'ERROR', 'CANCELLED']);
