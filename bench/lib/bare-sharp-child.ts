// The thinnest HTTP server around sharp, for scale: the body is the image itself (no multipart,
// no GraphQL, no account, no limits, no queue), held in memory, one libvips pipeline from it to
// the encoder, and the JPEG bytes as the answer. Whatever a real API adds, this does not have; its
// efficiency against the peer is the ceiling for any server built on sharp on this machine.
// Started by bench/lib/bare-sharp.ts over IPC.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

// As Pixpress runs sharp: no libvips operation cache.
sharp.cache(false);

const server = createServer(async (request, response) => {
  const query = new URL(request.url ?? '/', 'http://bench').searchParams;
  const width = Number(query.get('width'));
  const quality = Number(query.get('quality'));
  // Collected by hand, not by node:stream/consumers' buffer(), which goes through a Blob and copies
  // the 8.5 MB body again: measured, that took this server from 1.28-1.31 to 1.23-1.26.
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  try {
    // Pixpress's JPEG settings (graphql/imaging/encoders.ts), progressive as it writes detailed photos.
    const jpeg = await sharp(Buffer.concat(chunks))
      .autoOrient()
      .resize(width, width, { fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality, optimiseCoding: true, progressive: true, mozjpeg: false })
      .toBuffer();
    response.writeHead(200, { 'content-type': 'image/jpeg' }).end(jpeg);
  } catch (error) {
    response.writeHead(400).end((error as Error).message);
  }
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
process.send!({ port: (server.address() as AddressInfo).port });
process.once('message', () => server.close(() => process.exit(0)));
