// Starts bench/lib/bare-sharp-child.ts (the thinnest HTTP server around sharp) and posts to it.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { request as httpRequest, type IncomingMessage } from 'node:http';

export interface BareSharp {
  /** The server process's pid (its CPU time: bench/lib/cpu.ts). */
  pid: number;
  compress(file: Uint8Array, width: number, quality: number): Promise<Buffer>;
  stop(): Promise<void>;
}

export async function startBareSharp(): Promise<BareSharp> {
  // The same malloc arenas as Pixpress's server (bench/lib/server.ts).
  const child = fork(new URL('./bare-sharp-child.ts', import.meta.url), {
    env: { MALLOC_ARENA_MAX: '2', ...process.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [{ port }] = (await once(child, 'message')) as [{ port: number }];
  const exited = once(child, 'exit');
  return {
    pid: child.pid!,
    async compress(file, width, quality) {
      const request = httpRequest(`http://127.0.0.1:${port}/?width=${width}&quality=${quality}`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', 'content-length': file.length },
      });
      request.end(file);
      const [response] = (await once(request, 'response')) as [IncomingMessage];
      const chunks: Buffer[] = [];
      for await (const chunk of response) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      if (response.statusCode !== 200) throw new Error(`the bare server answered ${response.statusCode}: ${body.toString('utf8')}`);
      return body;
    },
    async stop() {
      child.send('stop');
      await exited;
    },
  };
}
