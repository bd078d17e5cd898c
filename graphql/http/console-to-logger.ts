// Astro (and any library) writes its errors and warnings with console.*: plain text lines among
// our JSON ones, carrying request URLs with their query strings (log injection through `next`).
// In the server process console.* goes to pino instead: one JSON line each, with query strings cut
// from anything that looks like a URL or path and the text bounded.
import { format } from 'node:util';
import type { Logger } from 'pino';

const MAX_MESSAGE_CHARS = 4000;
/** A path or URL followed by a query string: the query goes (signed URLs, `next`, variables). */
const QUERY_STRING = /((?:https?:\/\/[^\s?#"'<>]*)|(?:\/[^\s?#"'<>]*))\?\S*/g;

export function redactConsoleText(text: string): string {
  const cut = text.replace(QUERY_STRING, '$1?…');
  return cut.length > MAX_MESSAGE_CHARS ? `${cut.slice(0, MAX_MESSAGE_CHARS)}…` : cut;
}

type ConsoleMethod = 'log' | 'info' | 'warn' | 'error' | 'debug' | 'trace';
const LEVELS: Record<ConsoleMethod, 'info' | 'warn' | 'error' | 'debug'> = {
  log: 'info',
  info: 'info',
  warn: 'warn',
  error: 'error',
  debug: 'debug',
  trace: 'debug',
};

/** Sends console.* to the logger; returns a function that puts the console back. */
export function routeConsoleTo(logger: Logger): () => void {
  const target = logger.child({ source: 'console' });
  const originals = new Map<ConsoleMethod, (...args: unknown[]) => void>();
  for (const method of Object.keys(LEVELS) as ConsoleMethod[]) {
    originals.set(method, console[method]);
    console[method] = (...args: unknown[]) => {
      const error = args.find((arg): arg is Error => arg instanceof Error);
      const message = redactConsoleText(format(...args.map((arg) => (arg instanceof Error ? arg.message : arg))));
      const fields = error
        ? { err: { type: error.name, message: redactConsoleText(error.message), stack: redactConsoleText(error.stack ?? '') } }
        : {};
      target[LEVELS[method]](fields, message);
    };
  }
  return () => {
    for (const [method, original] of originals) console[method] = original;
  };
}
