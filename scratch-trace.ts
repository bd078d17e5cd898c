import { compressImage } from './graphql/imaging/compress.ts';
import { validateCompressOptions } from './graphql/imaging/compress-options.ts';
import { SsimPool } from './graphql/imaging/ssim-pool.ts';
const pool = new SsimPool(1);
const limits = { maxBytes: 1e12, maxPixels: 1e8, timeoutSeconds: 600 };
const job = { signal: new AbortController().signal, remainingMs: () => 600_000 };
for (const photo of (process.argv[3] ?? '/usr/share/backgrounds/mate/nature/LadyBird.jpg').split(','))
for (const format of (process.argv[2] ?? 'JPEG').split(',')) {
  const r = await compressImage(pool, { input: photo, originalFormat: 'JPEG', plan: validateCompressOptions({ width: 1600, format: format as any, targetSsim: 0.98 }), limits }, job);
  console.error('RESULT', photo.split('/').pop(), format, r.format, r.quality, r.data.length, r.ssim);
}
await pool.close();
