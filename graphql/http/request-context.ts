// Who is asking and from where: the GraphQL context of one request (its user, from a bearer
// token or the session cookie; its address, TRUST_PROXY applied).
import type { IncomingMessage } from 'node:http';
import { sessionFromToken } from '../auth/sessions.ts';
import type { Context } from '../builder.ts';
import type { Services } from '../services.ts';
import { SESSION_COOKIE } from '../shared/http.ts';
import { createLoaders } from '../store/loaders.ts';
import type { ClientAddressing } from './client-address.ts';
import { ResponseBudget } from './response-budget.ts';

export function createRequestContext(services: Services, addressing: ClientAddressing) {
  return async ({ request, req }: { request: Request; req?: IncomingMessage }): Promise<Context> => {
    const loaders = createLoaders(services.records);
    const session = await sessionFromToken(tokenOf(request), services.tokenKey, services.records, loaders);
    return {
      services,
      loaders,
      session,
      userId: session?.userId ?? null,
      clientAddress: req ? addressing.addressOf(req) : 'unknown',
      budget: new ResponseBudget(),
      origin: services.config.publicUrl ?? originOf(request, req, addressing),
    };
  };
}

/**
 * The origin the caller used, from the Host header (which the request guard has checked against
 * ALLOWED_HOSTS) and the scheme: https on a TLS socket or when a trusted proxy says so.
 */
function originOf(request: Request, req: IncomingMessage | undefined, addressing: ClientAddressing): string {
  const fallback = new URL(request.url).origin;
  if (!req) return fallback;
  const host = req.headers.host;
  if (!host) return fallback;
  const forwardedProto = String(req.headers['x-forwarded-proto'] ?? '')
    .split(',')[0]!
    .trim()
    .toLowerCase();
  const https =
    Boolean((req.socket as { encrypted?: boolean }).encrypted) || (addressing.peerIsTrustedProxy(req) && forwardedProto === 'https');
  return `${https ? 'https' : 'http'}://${host}`;
}

/**
 * A bearer token when the Authorization header holds one, else the site's session cookie (so
 * GraphiQL's placeholder header does not sign out someone logged in on the site). An invalid
 * token means signed out; it never falls back to the cookie.
 */
function tokenOf(request: Request): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
  return bearer ?? readCookie(request.headers.get('cookie'), SESSION_COOKIE);
}

export function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key !== name) continue;
    // A value that is not valid percent-encoding (a lone `%`) is no session: signed out, not a 500.
    try {
      return decodeURIComponent(value.join('='));
    } catch {
      return undefined;
    }
  }
  return undefined;
}
