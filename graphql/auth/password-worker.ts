// Runs in a worker thread of the password pool (auth/passwords.ts): bcrypt is slow by design and
// pure JavaScript here, so a hash on the main thread would stall every other request.
import bcrypt from 'bcryptjs';

export type PasswordTask = { kind: 'hash'; password: string; cost: number } | { kind: 'compare'; password: string; hash: string };

export default function run(task: PasswordTask): string | boolean {
  return task.kind === 'hash' ? bcrypt.hashSync(task.password, task.cost) : bcrypt.compareSync(task.password, task.hash);
}
