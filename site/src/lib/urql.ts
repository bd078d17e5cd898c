// The two ways the site talks GraphQL, both urql with codegen-typed documents:
// - in the browser, one shared client for every island, same origin, the session cookie rides along;
// - on the server, a client per request whose fetch runs in process (locals.graphqlFetch) and
//   forwards the caller's cookie.
import { cacheExchange, Client, fetchExchange } from '@urql/core';
import { GRAPHQL_PATH } from '../../../graphql/shared/http.ts';
import type { GraphqlFetch } from '../../server/locals.ts';

let shared: Client | undefined;

/** The islands' client (created on first use, in the browser only). */
export function browserClient(): Client {
  shared ??= new Client({
    url: GRAPHQL_PATH,
    exchanges: [cacheExchange, fetchExchange],
    // Queries as GET would need the CSRF header; JSON POSTs do not.
    preferGetMethod: false,
    requestPolicy: 'network-only',
    fetchOptions: { credentials: 'same-origin' },
  });
  return shared;
}

/** A client for one server render, acting as the caller. */
export function serverClient(graphqlFetch: GraphqlFetch, cookie: string | null): Client {
  return new Client({
    // Never fetched over the network: graphqlFetch answers in process. The host is a placeholder.
    url: `http://pixpress.internal${GRAPHQL_PATH}`,
    exchanges: [fetchExchange],
    preferGetMethod: false,
    requestPolicy: 'network-only',
    fetch: graphqlFetch,
    fetchOptions: { headers: cookie ? { cookie } : {} },
  });
}
