// Signed file links expire (URL_TTL_SECONDS). The image page keeps its links working without a
// reload: a page script asks the API for fresh ones before they expire, when the tab comes back,
// before a download with an old link, and whenever an island reports a picture that failed to
// load (a 403 after a sleeping laptop, say). Islands hear about new links through window events,
// so the page and every island share one refresher.
import { ImageUrlsQuery } from './operations.ts';
import { browserClient } from './urql.ts';

export interface FreshLinks {
  original: string;
  /** What pages show of the original: its display rendition (Image.displayUrl). */
  display: string;
  /** By compression id. */
  compressions: Record<string, string>;
  expiresAt: string;
}

const LINKS_EVENT = 'pixpress:fresh-links';
const STALE_EVENT = 'pixpress:stale-link';
/** Ask this long before the expiry: a quarter of the lifetime, at most a minute. */
const MAX_MARGIN_MS = 60_000;
/** A failing picture asks at most this often, so a file that is really gone cannot loop. */
const MIN_REFRESH_GAP_MS = 2_000;

/** Islands: calls `listener` with every new set of links. */
export function onFreshLinks(listener: (links: FreshLinks) => void): () => void {
  const handler = (event: Event) => listener((event as CustomEvent<FreshLinks>).detail);
  window.addEventListener(LINKS_EVENT, handler);
  return () => window.removeEventListener(LINKS_EVENT, handler);
}

/** Islands: a picture failed to load; its link may have expired. */
export function reportStaleLink(): void {
  window.dispatchEvent(new Event(STALE_EVENT));
}

/** The page: keeps every `a[data-signed-link]` (an id, or "original") and the islands' links fresh. */
export function keepLinksFresh(imageId: string, firstExpiry: string): void {
  let expiresAt = Date.parse(firstExpiry);
  let lifetime = Math.max(0, expiresAt - Date.now());
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | null = null;
  let lastAsked = 0;

  const schedule = () => {
    clearTimeout(timer);
    const margin = Math.min(MAX_MARGIN_MS, lifetime / 4);
    timer = setTimeout(() => void refresh(), Math.max(0, expiresAt - margin - Date.now()));
  };
  const refresh = (): Promise<void> => {
    running ??= (async () => {
      lastAsked = Date.now();
      const result = await browserClient().query(ImageUrlsQuery, { id: imageId }, { requestPolicy: 'network-only' }).toPromise();
      const image = result.data?.image;
      if (!image) return;
      expiresAt = Date.parse(image.urlExpiresAt);
      lifetime = Math.max(0, expiresAt - Date.now());
      const links: FreshLinks = {
        original: image.url,
        display: image.displayUrl,
        compressions: Object.fromEntries(image.compressions.map((c) => [c.id, c.url])),
        expiresAt: image.urlExpiresAt,
      };
      for (const anchor of document.querySelectorAll<HTMLAnchorElement>('a[data-signed-link]')) {
        const key = anchor.dataset.signedLink!;
        const url = key === 'original' ? links.original : links.compressions[key];
        if (url) anchor.href = url;
      }
      window.dispatchEvent(new CustomEvent(LINKS_EVENT, { detail: links }));
    })().finally(() => {
      running = null;
      schedule();
    });
    return running;
  };
  const nearlyExpired = () => Date.now() >= expiresAt - Math.min(MAX_MARGIN_MS, lifetime / 4);

  window.addEventListener(STALE_EVENT, () => {
    if (Date.now() - lastAsked >= MIN_REFRESH_GAP_MS) void refresh();
  });
  // Timers sleep with the tab (and the laptop): check when it is looked at again.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && nearlyExpired()) void refresh();
  });
  // A download with an old link would fail silently (the browser's download bar says "Forbidden").
  document.addEventListener('click', (event) => {
    const anchor = (event.target as Element | null)?.closest?.<HTMLAnchorElement>('a[data-signed-link]');
    if (!anchor || !nearlyExpired()) return;
    event.preventDefault();
    void refresh().then(() => {
      if (!nearlyExpired()) anchor.click();
    });
  });
  schedule();
}
