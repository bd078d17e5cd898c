// Sessions that end: logOut ends the token it is called with, changePassword ends every other
// session, deleteAccount removes everything the user owns. On both backends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage } from '../../testkit/fixtures.ts';
import { startTestServer, storedKeys, uploadImage, type TestServer } from './harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const LOG_IN = `mutation($u: String!, $p: String!) { logIn(username: $u, password: $p) { __typename ... on AuthPayload { token } } }`;
const logIn = async (username: string, password: string) =>
  (await server.gql(LOG_IN, { u: username, p: password })).data?.logIn.token as string | undefined;
const whoAmI = async (token: string) => (await server.gql(`{ me { username } }`, {}, token)).data?.me?.username ?? null;

describe('logOut', () => {
  it('ends the session it is called with, at once, and leaves the others', async () => {
    const first = await server.signUp('leaver', 'correct horse battery');
    const second = (await logIn('leaver', 'correct horse battery'))!;
    expect(await whoAmI(first)).toBe('leaver');
    const out = await server.gql(`mutation { logOut }`, {}, first);
    expect(out.data).toEqual({ logOut: true });
    expect(await whoAmI(first)).toBeNull();
    const refused = await server.gql(`{ images { totalCount } }`, {}, first);
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await whoAmI(second)).toBe('leaver');
    // Without a session there is nothing to end.
    expect((await server.gql(`mutation { logOut }`)).data).toEqual({ logOut: false });
  });
});

describe('changePassword', () => {
  it('ends every other session, returns a fresh token, and the new password is the one that works', async () => {
    const first = await server.signUp('changer', 'old password 123');
    const second = (await logIn('changer', 'old password 123'))!;
    const changed = await server.gql(
      `mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { __typename ... on AuthPayload { token } } }`,
      { c: 'old password 123', n: 'new password 456' },
      first,
    );
    expect(changed.data?.changePassword.__typename).toBe('AuthPayload');
    const fresh = changed.data?.changePassword.token as string;
    expect(await whoAmI(fresh)).toBe('changer');
    expect(await whoAmI(first)).toBeNull();
    expect(await whoAmI(second)).toBeNull();
    expect(await logIn('changer', 'old password 123')).toBeUndefined();
    expect(await whoAmI((await logIn('changer', 'new password 456'))!)).toBe('changer');
  });

  it('refuses a wrong current password and a new one outside the rules, changing nothing', async () => {
    const token = await server.signUp('careful', 'kept password 1');
    const change = (current: string, next: string) =>
      server.gql(
        `mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { __typename ... on ValidationError { field } } }`,
        { c: current, n: next },
        token,
      );
    expect((await change('a wrong guess', 'another password 2')).data?.changePassword).toEqual({ __typename: 'InvalidCredentialsError' });
    expect((await change('kept password 1', 'short')).data?.changePassword).toEqual({
      __typename: 'ValidationError',
      field: 'newPassword',
    });
    expect(await whoAmI(token)).toBe('careful');
    expect(await logIn('careful', 'kept password 1')).toBeTruthy();
  });

  it('is throttled like logins, so a stolen session cannot guess the password', async () => {
    const token = await server.signUp('guessed', 'the real password');
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 11; attempt++) {
      const result = await server.gql(
        `mutation { changePassword(currentPassword: "guess ${attempt}", newPassword: "whatever 12345") { __typename } }`,
        {},
        token,
      );
      statuses.push(result.status);
    }
    expect(statuses.slice(0, 10).every((status) => status === 200)).toBe(true);
    expect(statuses[10]).toBe(429);
  });
});

describe('deleteAccount', () => {
  it('removes the account, its images, compressions and files; its tokens stop working; others are untouched', async () => {
    const token = await server.signUp('departing', 'goodbye password');
    const bystander = await server.signUp('staying', 'hello password 1');
    const kept = await uploadImage(server, bystander, await makeImage(50, 50), 'kept.jpg');
    const image = await uploadImage(server, token, await makeImage(80, 60), 'mine.jpg');
    await server.gql(
      `mutation($id: ID!) { compressImage(imageId: $id, options: { format: WEBP, width: 40 }) { __typename } }`,
      { id: image.id },
      token,
    );
    const userId = (await server.gql(`{ me { id } }`, {}, token)).data?.me.id as string;
    expect((await storedKeys(server)).filter((key) => key.startsWith(`${userId}/`))).toHaveLength(3);

    const wrong = await server.gql(`mutation { deleteAccount(password: "not it") { __typename } }`, {}, token);
    expect(wrong.data?.deleteAccount.__typename).toBe('InvalidCredentialsError');
    expect(await whoAmI(token)).toBe('departing');

    const deleted = await server.gql(
      `mutation { deleteAccount(password: "goodbye password") { __typename ... on Deleted { id } } }`,
      {},
      token,
    );
    expect(deleted.data?.deleteAccount).toEqual({ __typename: 'Deleted', id: userId });
    expect(await whoAmI(token)).toBeNull();
    expect((await storedKeys(server)).filter((key) => key.startsWith(`${userId}/`))).toEqual([]);
    expect((await fetch(new URL(image.url, server.url))).status).toBe(404);
    expect(await logIn('departing', 'goodbye password')).toBeUndefined();
    // The name is free again, and the other user's image is still there.
    expect(await server.signUp('departing', 'a new beginning 1')).toBeTruthy();
    expect((await fetch(new URL(kept.url, server.url))).status).toBe(200);
  });
});
