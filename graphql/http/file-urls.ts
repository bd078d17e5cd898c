// The URL a client is given for a stored file. With a bucket that browsers can reach, a presigned
// GET URL from the bucket itself (the bytes never pass through Pixpress); otherwise, or with
// FILE_URLS=proxy, the app's own HMAC-signed /files/ URL, which any instance serves from the
// blob store. Both expire after URL_TTL_SECONDS.
import type { BlobStore } from '../store/ports.ts';
import type { UrlSigner } from './signed-urls.ts';

export interface FileUrlRequest {
  key: string;
  contentType: string;
  /** The name a browser saves the file under. */
  downloadName?: string;
}

export interface FileUrls {
  url(request: FileUrlRequest): Promise<string>;
}

export function createFileUrls(blobs: BlobStore, signer: UrlSigner, mode: 'presigned' | 'proxy', ttlSeconds: number): FileUrls {
  return {
    async url({ key, contentType, downloadName }) {
      if (mode === 'presigned') {
        const direct = await blobs.directUrl(key, { ttlSeconds, contentType, downloadName });
        if (direct) return direct;
      }
      return signer.sign(key);
    },
  };
}
