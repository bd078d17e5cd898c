// bcrypt hashing in a small pool of worker threads (piscina), with a bounded queue: when every
// worker is busy and the queue is full, a hash is refused at once (PasswordsBusyError, 429) rather
// than piling up behind a flood. Logging in as an unknown user compares against a dummy hash of
// the same cost, so the answer takes as long as a wrong password and says the same thing.
import { Piscina } from 'piscina';
import type { PasswordTask } from './password-worker.ts';

export class PasswordsBusyError extends Error {
  constructor() {
    super('Too many sign-ins are being checked right now; try again in a few seconds.');
    this.name = 'PasswordsBusyError';
  }
}

export interface PasswordHasherOptions {
  cost: number;
  /** Worker threads hashing at once. */
  workers: number;
  /** Hashes that may wait for a worker; more are refused. */
  maxWaiting: number;
}

export class PasswordHasher {
  private readonly cost: number;
  private readonly pool: Piscina;
  private dummyHash: Promise<string> | undefined;

  constructor(options: PasswordHasherOptions) {
    this.cost = options.cost;
    this.pool = new Piscina({
      filename: new URL('./password-worker.ts', import.meta.url).href,
      minThreads: 0,
      maxThreads: options.workers,
      // piscina treats 0 as "no limit"; one waiting slot is the least it can mean.
      maxQueue: Math.max(1, options.maxWaiting),
      idleTimeout: 30_000,
    });
  }

  hash(password: string): Promise<string> {
    return this.run({ kind: 'hash', password, cost: this.cost }) as Promise<string>;
  }

  /** Checks the password against the hash, or against a dummy when there is no user. */
  async verify(password: string, hash: string | undefined): Promise<boolean> {
    this.dummyHash ??= this.hash('pixpress-dummy-password');
    // A dummy that failed (the pool was busy) is made again next time.
    const dummy = await this.dummyHash.catch((error: unknown) => {
      this.dummyHash = undefined;
      throw error;
    });
    const matches = (await this.run({ kind: 'compare', password, hash: hash ?? dummy })) as boolean;
    return matches && hash !== undefined;
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private async run(task: PasswordTask): Promise<unknown> {
    try {
      return await this.pool.run(task);
    } catch (error) {
      if (/queue is at limit/i.test((error as Error).message)) throw new PasswordsBusyError();
      throw error;
    }
  }
}
