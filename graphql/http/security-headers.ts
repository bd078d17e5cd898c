// Headers every response carries, pages, API, files and static assets alike. The site's pages
// replace the generic CSP below with Astro's own (the hashes of their inline scripts and styles,
// and frame-ancestors too: site/astro.config.ts).
import type { Route } from './request-log.ts';

const COMMON: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  // Signed file URLs carry their signature in the query string: never send it to another site.
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

const PAGE_POLICY = "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

/**
 * GraphiQL (GET /graphql in a browser) is Yoga's page: inline scripts and styles, and its editor's
 * workers started from blob: URLs. Everything it loads comes from this origin (http/graphiql.ts).
 */
const GRAPHQL_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
].join('; ');

export function securityHeaders(route: Route): Record<string, string> {
  return { ...COMMON, 'content-security-policy': route === 'graphql' ? GRAPHQL_POLICY : PAGE_POLICY };
}
