// The app's pino logger: JSON lines at the configured level, with credentials blanked.
import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.ts';

export function createLogger(config: Pick<Config, 'logLevel'>, stream?: DestinationStream): Logger {
  return pino({ level: config.logLevel, redact: LOG_REDACTIONS }, stream);
}

/**
 * Belt and braces: request lines are built from an allow-list (http/request-log.ts), but should
 * anything ever log a request, headers or credentials, pino blanks these before writing.
 */
const LOG_REDACTIONS = [
  'password',
  'token',
  'secret',
  'authorization',
  'cookie',
  '*.password',
  '*.token',
  '*.secret',
  '*.authorization',
  '*.cookie',
  'req.headers',
  'headers.authorization',
  'headers.cookie',
  'variables',
  '*.variables',
];
