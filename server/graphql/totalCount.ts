/**
 * totalCount and totalCountExact on a connection. Both read one count, made only when one of them is
 * selected and at most once per connection, with the filter of the page: the connection object
 * carries a `totalCount` function (as @pothos/plugin-prisma's own totalCount option sets it up).
 */
import type { RowCount } from '../db/boundedCount.ts';
import type { builder } from './builder.ts';
import type { Context } from './context.ts';

type Counted = { totalCount?: () => Promise<RowCount> };

const counts = new WeakMap<object, Promise<RowCount>>();

function countOf(connection: object): Promise<RowCount> {
  let count = counts.get(connection);
  if (!count) {
    const totalCount = (connection as Counted).totalCount;
    if (!totalCount) throw new Error('This connection has no totalCount function');
    count = totalCount();
    counts.set(connection, count);
  }
  return count;
}

/**
 * The `totalCount` option of prismaConnection, counting with the field's arguments. The plugin types
 * it as a number, which only its own totalCount field reads; the fields below replace that field.
 */
export const countWith =
  <Args>(count: (args: Args, ctx: Context) => Promise<RowCount>) =>
  (_parent: unknown, args: Args, ctx: Context) =>
    count(args, ctx) as unknown as number;

type ConnectionFieldBuilder = PothosSchemaTypes.ObjectFieldBuilder<typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never, object>;

/**
 * The two fields for a connection's `fields` option. The extension lets prismaConnection skip
 * reading a page when a query asks for nothing but the count.
 */
export const totalCountFields = (t: ConnectionFieldBuilder, rule: string) => ({
  totalCount: t.int({
    description: `How many items the filter selects, on every page: ${rule} totalCountExact says which it is.`,
    extensions: { pothosPrismaTotalCount: true },
    resolve: async (connection) => (await countOf(connection)).count,
  }),
  totalCountExact: t.boolean({
    description: 'False when totalCount is an estimate (see totalCount for when it is).',
    extensions: { pothosPrismaTotalCount: true },
    resolve: async (connection) => (await countOf(connection)).exact,
  }),
});
