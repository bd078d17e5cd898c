/// <reference types="astro/client" />

declare namespace App {
  /** server.ts (or the dev integration) provides the first two, see server/locals.ts; src/middleware.ts the rest. */
  interface Locals {
    graphqlFetch: import('../server/locals.ts').GraphqlFetch;
    requestIsHttps: boolean;
    /** urql client for this request, carrying the caller's cookie. */
    gql: import('@urql/core').Client;
    /** The signed-in user, or null. */
    viewer: import('./lib/viewer.ts').Viewer | null;
  }
}
