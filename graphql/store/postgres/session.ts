// A connection held out of the pool for a while (an advisory lock's session). node-postgres gives a
// checked-out client no listener for its connection dying between two queries (Postgres restarted,
// the backend terminated, the network cut), and an 'error' event nobody listens to ends the
// process. A held session listens for as long as it is held, and is destroyed rather than given
// back to the pool when its connection died.
import type pg from 'pg';

export interface HeldSession {
  client: pg.PoolClient;
  /** The connection's failure while held, if it failed. */
  readonly lost: Error | undefined;
  /** Gives the client back to the pool, or destroys it when it failed (or when asked to). */
  release(options?: { destroy?: boolean }): void;
}

export async function holdSession(pool: pg.Pool): Promise<HeldSession> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (error: Error) => {
    lost = error;
  };
  client.on('error', onError);
  return {
    client,
    get lost() {
      return lost;
    },
    release({ destroy = false } = {}) {
      client.off('error', onError);
      client.release(lost ?? destroy);
    },
  };
}
