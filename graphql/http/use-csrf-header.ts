// Yoga's CSRF prevention accepts a present-but-empty header; the contract asks for a non-empty
// one, so an empty value is refused here before that plugin lets it through.
import { createGraphQLError, type Plugin } from 'graphql-yoga';

export const CSRF_HEADERS = ['x-graphql-yoga-csrf', 'apollo-require-preflight'];

export function useNonEmptyCsrfHeader(): Plugin {
  return {
    onRequestParse({ request }) {
      const present = CSRF_HEADERS.filter((name) => request.headers.has(name));
      if (present.length > 0 && present.every((name) => request.headers.get(name)!.trim() === '')) {
        throw createGraphQLError('Required CSRF header(s) not present', { extensions: { http: { status: 403 } } });
      }
    },
  };
}
