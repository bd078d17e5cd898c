// Which failures mean "the database is not there (now)": those become StorageUnavailableError, and
// clients get SERVER_BUSY and may try again. Anything else is a bug and stays as it is.
import { StorageUnavailableError } from '../ports.ts';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

// SQLSTATEs: connection exceptions (class 08), shutdowns and start-ups, cancelled statements
// (our statement timeout), lock timeouts and deadlocks, a database or role that is gone, and
// the server being out of connections or resources (class 53).
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '57014', '55P03', '40P01', '3D000', '28000', '28P01']);

// node-postgres reports a dropped or never-made connection by message only.
const DRIVER_MESSAGES = [
  /is not currently accepting connections/i,
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /query read timeout/i,
  /connection timeout/i,
  /client has encountered a connection error/i,
  /cannot use a pool after calling end/i,
];

export function meansUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || UNAVAILABLE_STATES.has(code)) return true;
    if (code.startsWith('08') || code.startsWith('53')) return true;
  }
  if (error instanceof AggregateError) return error.errors.some(meansUnavailable);
  return DRIVER_MESSAGES.some((pattern) => pattern.test(error.message));
}

/** Runs one store operation, turning "the database is not there" into StorageUnavailableError. */
export async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StorageUnavailableError || !meansUnavailable(error)) throw error;
    throw new StorageUnavailableError('The database (Postgres)', error);
  }
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const { code, constraint: violated } = (error ?? {}) as { code?: unknown; constraint?: unknown };
  return code === '23505' && (constraint === undefined || violated === constraint);
}

export function isForeignKeyViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '23503';
}
