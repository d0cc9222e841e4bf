/**
 * Turns a document the parser cannot even walk (nesting deep enough to exhaust the stack, such as
 * 20 000 nested list brackets, which overflows before the token limit is reached) into a clear
 * 400 parse error instead of a masked 500.
 */
import { GraphQLError } from 'graphql';

type ParseFn = (source: unknown, options?: unknown) => unknown;

export function useParseGuard() {
  return {
    onParse({ parseFn, setParseFn }: { parseFn: ParseFn; setParseFn: (fn: ParseFn) => void }) {
      setParseFn((source, options) => {
        try {
          return parseFn(source, options);
        } catch (error) {
          if (!(error instanceof RangeError)) throw error;
          throw new GraphQLError('Syntax Error: the document is nested too deeply', {
            extensions: { code: 'GRAPHQL_PARSE_FAILED', http: { status: 400 } },
          });
        }
      });
    },
  };
}
