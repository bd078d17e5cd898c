// The seed's own stack, written well (FastAPI + Pillow, ../shared/peers/seed-fastapi/app.py), run
// by uvicorn on loopback beside Pixpress, so both are measured in the same run on the same cores.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { dirname } from 'node:path';

export const PEER_APP = new URL('../../../shared/peers/seed-fastapi/app.py', import.meta.url).pathname;
/** Debian's packages install into the system Python, which another python3 on PATH may shadow. */
const DEBIAN_PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

export interface Peer {
  /** The uvicorn process's pid (its CPU time: bench/lib/cpu.ts). */
  pid: number;
  /** POSTs one image to /compress-threaded and returns the JPEG it answers. */
  compress(file: Uint8Array, width: number, quality: number): Promise<Buffer>;
  stop(): Promise<void>;
}

export async function startPeer(app = PEER_APP): Promise<Peer> {
  if (!existsSync(app)) throw new Error(`${app} not found`);
  const port = await freePort();
  const child: ChildProcess = spawn(
    DEBIAN_PYTHON,
    [
      '-m',
      'uvicorn',
      'app:app',
      '--app-dir',
      dirname(app),
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--log-level',
      'warning',
      '--no-access-log',
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const exited = once(child, 'exit');
  const url = `http://127.0.0.1:${port}/compress-threaded`;
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null)
      throw new Error('the peer exited at start: apt-get install python3-fastapi python3-uvicorn python3-pil python3-multipart');
    try {
      await fetch(`http://127.0.0.1:${port}/docs`);
      break;
    } catch {
      if (attempt > 100) throw new Error('the peer did not start listening');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    pid: child.pid!,
    compress: (file, width, quality) => postForm(url, { width: String(width), quality: String(quality) }, file),
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** A multipart form written straight from the file's bytes (as bench/lib/server.ts does for Pixpress). */
async function postForm(url: string, fields: Record<string, string>, file: Uint8Array): Promise<Buffer> {
  const boundary = `----pixpress-bench-${randomUUID()}`;
  const parts = Object.entries(fields).map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`);
  const head = Buffer.from(parts.join(''));
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const request = httpRequest(url, {
    method: 'POST',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + file.length + tail.length },
  });
  request.write(head);
  request.write(file);
  request.end(tail);
  const [response] = (await once(request, 'response')) as [IncomingMessage];
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  if (response.statusCode !== 200) throw new Error(`peer answered ${response.statusCode}: ${body.toString('utf8').slice(0, 200)}`);
  return body;
}
