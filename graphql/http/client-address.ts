// Who is calling: the socket's peer, or with TRUST_PROXY the address a trusted proxy says it
// served. proxy-addr reads X-Forwarded-For from the right and stops at the first hop that is not
// a trusted proxy, so entries a client puts at the left of the header are never believed.
import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';
import type { TrustProxy } from '../config.ts';

export interface ClientAddressing {
  /** The client's address for limits and logs. */
  addressOf(req: IncomingMessage): string;
  /** True when the socket's peer is a proxy we trust (so its X-Forwarded-Proto counts). */
  peerIsTrustedProxy(req: IncomingMessage): boolean;
  isTrustedProxy(address: string): boolean;
}

export function createClientAddressing(trustProxy: TrustProxy): ClientAddressing {
  const trust: (address: string, hop: number) => boolean =
    trustProxy === false
      ? () => false
      : 'hops' in trustProxy
        ? (_address, hop) => hop < trustProxy.hops
        : proxyaddr.compile(trustProxy.addresses);
  return {
    addressOf(req) {
      if (!req.socket?.remoteAddress) return 'unknown';
      return trustProxy === false ? req.socket.remoteAddress : proxyaddr(req, trust);
    },
    peerIsTrustedProxy(req) {
      const peer = req.socket?.remoteAddress;
      return Boolean(peer) && trust(peer!, 0);
    },
    isTrustedProxy: (address) => trust(address, 0),
  };
}
