// bcryptjs hashing. Logging in as an unknown user compares against a dummy hash of the same cost,
// so the answer takes as long as a wrong password and says the same thing.
import bcrypt from 'bcryptjs';

export class PasswordHasher {
  private readonly cost: number;
  private dummyHash: Promise<string> | undefined;

  constructor(cost: number) {
    this.cost = cost;
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.cost);
  }

  /** Checks the password against the hash, or against a dummy when there is no user. */
  async verify(password: string, hash: string | undefined): Promise<boolean> {
    this.dummyHash ??= bcrypt.hash('pixpress-dummy-password', this.cost);
    const matches = await bcrypt.compare(password, hash ?? (await this.dummyHash));
    return matches && hash !== undefined;
  }
}
