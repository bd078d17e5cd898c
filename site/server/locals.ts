// What the server hands every Astro render through `locals` (App.Locals extends this): a way to
// run GraphQL against the API in this same process, carrying the caller's session. Pages never
// fetch their own URL over the network: behind port mapping or a proxy the Host header is not an
// address this process can reach, and a second API instance inside the bundle would open a
// second store on the same file.
import type { IncomingMessage } from 'node:http';

/** fetch-shaped, but answered in process by the API: JSON GraphQL POSTs only. */
export type GraphqlFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface SiteLocals {
  graphqlFetch: GraphqlFetch;
  /** True when the browser talks https to us (directly, or to a trusted proxy in front). */
  requestIsHttps: boolean;
}

/** The part of a Yoga instance this needs: `app.yoga` from graphql/app.ts. */
export interface InProcessApi {
  fetch(request: Request, serverContext: { req: IncomingMessage }): Response | Promise<Response>;
}

export interface SiteLocalsOptions {
  /** True when the socket's peer is a proxy whose X-Forwarded-Proto we believe (TRUST_PROXY). */
  peerIsTrustedProxy(req: IncomingMessage): boolean;
}

export function createSiteLocals(api: InProcessApi, req: IncomingMessage, options: SiteLocalsOptions): SiteLocals {
  const forwardedProto = headerValue(req.headers['x-forwarded-proto'])?.split(',')[0]?.trim().toLowerCase();
  const encrypted = Boolean((req.socket as { encrypted?: boolean }).encrypted);
  return {
    requestIsHttps: encrypted || (options.peerIsTrustedProxy(req) && forwardedProto === 'https'),
    async graphqlFetch(input, init) {
      const request = new Request(input, init);
      const contentType = request.headers.get('content-type') ?? '';
      // The API would read a multipart body from the raw Node request, which is the page's, not
      // this one's: uploads go from the browser straight to /graphql instead.
      if (request.method !== 'POST' || !contentType.startsWith('application/json')) {
        throw new Error('In-process GraphQL takes JSON POST requests only.');
      }
      // The real request as server context: the API takes the caller's address from it (its
      // socket, or X-Forwarded-For from a trusted proxy), for the per-address limits.
      return api.fetch(request, { req });
    },
  };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
