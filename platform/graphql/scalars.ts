/** Custom scalars shared by every subgraph. */
import { GraphQLScalarType, Kind } from 'graphql';
import { badInput } from '../errors.ts';

/** An instant, as an ISO-8601 string in UTC (`2026-11-24T22:28:00.000Z`). */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An instant in time, as an ISO-8601 string in UTC.',
  serialize(value) {
    if (value instanceof Date) return value.toISOString();
    if (typeof value === 'string' || typeof value === 'number') return new Date(value).toISOString();
    throw new TypeError('DateTime cannot represent this value');
  },
  parseValue(value) {
    return parseDate(value);
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw badInput('DateTime must be an ISO-8601 string.');
    return parseDate(ast.value);
  },
});

function parseDate(value: unknown): Date {
  if (typeof value !== 'string') throw badInput('DateTime must be an ISO-8601 string.');
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw badInput(`"${value}" is not a valid ISO-8601 date-time.`);
  return d;
}
