// Fair share of compute (issue 12, points 3 and 4): a few image jobs per request, per-user running
// and waiting limits with free slots handed round-robin, a short deadline for previews, a decode
// budget in pixels, and a cap on base64 in one response.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResponseBudget } from '../../http/response-budget.ts';
import { type ImageJobContext, ImageJobTimeoutError, ImageQueue, imageJobScope, QueueFullError } from '../../imaging/queue.ts';
import { COMPRESS_IMAGE, COMPRESS_UPLOAD, PREVIEW } from '../compression-helpers.ts';
import { makeImage } from '../../../testkit/fixtures.ts';
import { startTestServer, uploadImage, type TestServer } from '../harness.ts';

const previewField = (alias: string) =>
  `${alias}: previewCompression(imageId: $id, options: { format: JPEG, quality: 50 }) { __typename ... on Error { code } }`;

/** A job that runs until released, recording when it started. */
function heldJob(log: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return {
    release,
    job: async () => {
      log.push(name);
      await done;
      return name;
    },
  };
}

/** Held jobs by name, all logging to one `started` list. */
function heldJobs(...names: string[]) {
  const started: string[] = [];
  const jobs = Object.fromEntries(names.map((name) => [name, heldJob(started, name)]));
  return { started, job: (name: string) => jobs[name]! };
}

describe('ImageQueue: per-owner limits and round-robin', () => {
  it('gives the next free slot to another owner before the same owner runs again', async () => {
    const queue = new ImageQueue({ concurrency: 1, maxWaiting: 10, jobTimeoutMs: 10_000, runningPerOwner: 1, waitingPerOwner: 5 });
    const started: string[] = [];
    const jobs = ['a1', 'a2', 'a3', 'b1', 'c1'].map((name) => ({ name, ...heldJob(started, name) }));
    const results = jobs.map(({ name, job }) => imageJobScope.run({ owner: name[0]! }, () => queue.run(job)));
    for (const { release, name } of jobs) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      // Release whichever job is running, in the order they started.
      if (started.includes(name)) release();
    }
    while (started.length < 5) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      for (const job of jobs) if (started.includes(job.name)) job.release();
    }
    await Promise.all(results);
    expect(started).toEqual(['a1', 'b1', 'c1', 'a2', 'a3']);
  });

  it("refuses an owner's jobs past its waiting limit while others still get in", async () => {
    const queue = new ImageQueue({ concurrency: 1, maxWaiting: 10, jobTimeoutMs: 10_000, runningPerOwner: 1, waitingPerOwner: 2 });
    const started: string[] = [];
    const held = Array.from({ length: 4 }, (_, index) => heldJob(started, `a${index}`));
    const outcomes = held.map(({ job }) => imageJobScope.run({ owner: 'a' }, () => queue.run(job)).catch((error: unknown) => error));
    const other = heldJob(started, 'b');
    const otherOutcome = imageJobScope.run({ owner: 'b' }, () => queue.run(other.job));
    expect(await outcomes[3]).toBeInstanceOf(QueueFullError);
    expect(queue.waiting).toBe(3);
    for (const { release } of held) release();
    other.release();
    expect(await otherOutcome).toBe('b');
  });
});

describe('ImageQueue: short jobs use idle slots beyond their share', () => {
  const options = { concurrency: 2, maxWaiting: 10, jobTimeoutMs: 10_000, runningPerOwner: 1 };
  const runAs = <T>(owner: string, job: () => Promise<T>, short = false) => imageJobScope.run({ owner }, () => queue.run(job, { short }));
  let queue: ImageQueue;
  const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

  it("starts a short job beyond its owner's share at once, but not a long one, and hands the short job's slot to the next owner", async () => {
    queue = new ImageQueue(options);
    const { started, job } = heldJobs('a1', 'a2', 'a3', 'b1');
    const [a1, a2, a3, b1] = [job('a1'), job('a2'), job('a3'), job('b1')];
    const results = [runAs('a', a1.job), runAs('a', a2.job, true), runAs('a', a3.job)];
    await settle();
    // a1 holds a's share; the short a2 took the idle slot; the long a3 waits for a's share.
    expect(started).toEqual(['a1', 'a2']);
    expect(queue.waiting).toBe(1);
    results.push(runAs('b', b1.job));
    await settle();
    a2.release();
    await settle();
    // The borrowed slot goes to b, who is within its share, not to a's waiting job.
    expect(started).toEqual(['a1', 'a2', 'b1']);
    a1.release();
    await settle();
    expect(started).toEqual(['a1', 'a2', 'b1', 'a3']);
    a3.release();
    b1.release();
    expect(await Promise.all(results)).toEqual(['a1', 'a2', 'a3', 'b1']);
  });

  it("gives a free slot to an owner within its share before a short job beyond its owner's share", async () => {
    queue = new ImageQueue(options);
    const { started, job } = heldJobs('a1', 'b1', 'c1', 'a2');
    const [a1, b1, c1, a2] = [job('a1'), job('b1'), job('c1'), job('a2')];
    const results = [runAs('a', a1.job), runAs('b', b1.job), runAs('a', a2.job, true)];
    await settle();
    results.push(runAs('c', c1.job));
    await settle();
    expect(started).toEqual(['a1', 'b1']);
    b1.release();
    await settle();
    expect(started).toEqual(['a1', 'b1', 'c1']);
    c1.release();
    await settle();
    // Nobody within its share waits now: the short job may go beyond a's.
    expect(started).toEqual(['a1', 'b1', 'c1', 'a2']);
    a1.release();
    a2.release();
    expect(await Promise.all(results)).toEqual(['a1', 'b1', 'a2', 'c1']);
  });
});

describe('ImageQueue: a running job borrows a free slot for part of its work', () => {
  const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

  /** A job that hands out its context, then runs until released. */
  function jobWithContext() {
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    let context!: ImageJobContext;
    return {
      release,
      context: () => context,
      job: async (given: ImageJobContext) => {
        context = given;
        await done;
      },
    };
  }

  it('lends only a free slot, and a job arriving during the loan gets the slot when it comes back', async () => {
    const queue = new ImageQueue({ concurrency: 2, maxWaiting: 10, jobTimeoutMs: 10_000, runningPerOwner: 1 });
    const a = jobWithContext();
    const b = heldJob([], 'b');
    const aDone = imageJobScope.run({ owner: 'a' }, () => queue.run(a.job));
    await settle();
    const giveBack = a.context().spareSlot!();
    expect(giveBack).not.toBeNull();
    expect(queue.running).toBe(2);
    // Both slots are taken: no second loan, and another user's job waits for the loan to end.
    expect(a.context().spareSlot!()).toBeNull();
    const bDone = imageJobScope.run({ owner: 'b' }, () => queue.run(b.job));
    await settle();
    expect(queue.waiting).toBe(1);
    giveBack!();
    giveBack!(); // given back twice: still one slot
    await settle();
    expect(queue.waiting).toBe(0);
    expect(queue.running).toBe(2);
    expect(a.context().spareSlot!()).toBeNull();
    b.release();
    await bDone;
    await settle();
    expect(queue.running).toBe(1);
    const again = a.context().spareSlot!();
    expect(again).not.toBeNull();
    again!();
    a.release();
    await aDone;
    await settle();
    expect(queue.running).toBe(0);
  });

  it('lends no slot while any job waits, even with a slot free', async () => {
    // a's second (long) job waits for a's share of one slot, so a free slot stays free for it.
    const queue = new ImageQueue({ concurrency: 2, maxWaiting: 10, jobTimeoutMs: 10_000, runningPerOwner: 1 });
    const a1 = jobWithContext();
    const a2 = heldJob([], 'a2');
    const done = [imageJobScope.run({ owner: 'a' }, () => queue.run(a1.job)), imageJobScope.run({ owner: 'a' }, () => queue.run(a2.job))];
    await settle();
    expect([queue.running, queue.waiting]).toEqual([1, 1]);
    expect(a1.context().spareSlot!()).toBeNull();
    a1.release();
    await settle();
    a2.release();
    await Promise.all(done);
  });

  it('lends nothing to a job that has been stopped at its deadline', async () => {
    const queue = new ImageQueue({ concurrency: 2, maxWaiting: 10, jobTimeoutMs: 20 });
    const a = jobWithContext();
    const outcome = queue.run(a.job).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(await outcome).toBeInstanceOf(ImageJobTimeoutError);
    expect(a.context().spareSlot!()).toBeNull();
    a.release();
  });
});

describe('one user alone uses every slot for one-shot work, not for searches', () => {
  let server: TestServer;
  let token: string;
  let photo: Buffer;

  beforeAll(async () => {
    // Two slots, one per user, and nowhere to wait: a second job of the same user runs at once
    // in the idle slot, or is refused.
    server = await startTestServer({ IMAGE_CONCURRENCY: '2', IMAGE_JOBS_RUNNING_PER_USER: '1', IMAGE_QUEUE_SIZE: '0' });
    token = await server.signUp();
    photo = await makeImage(2400, 1600);
  });
  afterAll(async () => server?.close());

  /** Sends the same one-shot job twice at once; returns the outcomes and the most jobs seen running together. */
  async function twoAtOnce(options: Record<string, unknown>) {
    let mostRunning = 0;
    const probe = setInterval(() => {
      mostRunning = Math.max(mostRunning, server.app.services.imageQueue.running);
    }, 1);
    try {
      const send = () =>
        server
          .multipart(COMPRESS_UPLOAD, { file: null, options }, { file: { data: photo, filename: 'photo.jpg' } }, token)
          .then((response) => response.data?.compressUpload?.__typename ?? String(response.errors?.[0]?.extensions?.code));
      const outcomes = await Promise.all([send(), send()]);
      return { outcomes: outcomes.sort(), mostRunning };
    } finally {
      clearInterval(probe);
    }
  }

  it('runs two fixed-quality JPEG compressions of one user side by side', async () => {
    const { outcomes, mostRunning } = await twoAtOnce({ format: 'JPEG', quality: 80, width: 1600 });
    expect(outcomes).toEqual(['CompressedFile', 'CompressedFile']);
    expect(mostRunning).toBe(2);
  });

  it("knows a compression to the original's format is short from the file's first bytes (a JPEG here)", async () => {
    const { outcomes, mostRunning } = await twoAtOnce({ quality: 80, width: 1600 });
    expect(outcomes).toEqual(['CompressedFile', 'CompressedFile']);
    expect(mostRunning).toBe(2);
  });

  it("keeps a user's quality search to its share", async () => {
    const { outcomes } = await twoAtOnce({ format: 'JPEG', targetSsim: 0.99, width: 1600 });
    expect(outcomes).toEqual(['CompressedFile', 'SERVER_BUSY']);
  });
});

describe('image jobs through the API', () => {
  let server: TestServer;
  let token: string;
  let otherToken: string;
  let imageId: string;
  let otherImageId: string;

  beforeAll(async () => {
    server = await startTestServer({
      IMAGE_CONCURRENCY: '1',
      IMAGE_QUEUE_SIZE: '4',
      IMAGE_JOBS_RUNNING_PER_USER: '1',
      IMAGE_JOBS_WAITING_PER_USER: '2',
      PREVIEW_TIMEOUT_MS: '150',
      QUOTA_COMPRESSIONS_PER_IMAGE: '20',
    });
    token = await server.signUp();
    otherToken = await server.signUp();
    const photo = await makeImage(1600, 1200);
    imageId = (await uploadImage(server, token, photo)).id;
    otherImageId = (await uploadImage(server, otherToken, photo)).id;
  });
  afterAll(async () => server?.close());

  it('refuses a document with more than 3 image jobs before running any (aliases and fragments count)', async () => {
    const aliased = await server.gql(`query($id: ID!) { ${['a', 'b', 'c', 'd'].map(previewField).join(' ')} }`, { id: imageId }, token);
    expect(aliased.errors?.[0]?.extensions?.code).toBe('TOO_MANY_IMAGE_JOBS');
    expect(aliased.data ?? null).toBeNull();
    const fragments = await server.gql(
      `query($id: ID!) { ...Two ...Two } fragment Two on Query { ${previewField('x')} ${previewField('y')} }`,
      { id: imageId },
      token,
    );
    expect(fragments.errors?.[0]?.extensions?.code).toBe('TOO_MANY_IMAGE_JOBS');
    expect(server.app.services.imageQueue.running + server.app.services.imageQueue.waiting).toBe(0);
  });

  it("keeps a user's burst to 1 running + 2 waiting, and another user's job runs before the burst's rest", async () => {
    const finished: string[] = [];
    const compress = (who: string, tokenOf: string, id: string, format: string) =>
      server.gql(COMPRESS_IMAGE, { imageId: id, options: { format, quality: 60 } }, tokenOf).then((result) => {
        finished.push(result.errors ? `${who}:${String(result.errors[0]!.extensions?.code)}` : who);
        return result;
      });
    const burst = Array.from({ length: 5 }, (_, index) => compress(`a${index}`, token, imageId, 'AVIF'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const other = await compress('b', otherToken, otherImageId, 'JPEG');
    await Promise.all(burst);
    expect(other.data?.compressImage.__typename).toBe('Compression');
    expect(finished.filter((entry) => entry.endsWith(':SERVER_BUSY')).length).toBe(2);
    const done = finished.filter((entry) => !entry.includes(':'));
    // The burst's first job was running when b arrived; b went next, before the two waiting.
    expect(done.indexOf('b')).toBeLessThanOrEqual(1);
  });

  it('stops a preview at PREVIEW_TIMEOUT_MS with IMAGE_TIMEOUT and a message that does not suggest retrying', async () => {
    const response = await server.gql(PREVIEW, { imageId, options: { format: 'AVIF', targetSsim: 0.995 } }, token);
    const error = response.errors?.[0];
    expect(error?.extensions?.code).toBe('IMAGE_TIMEOUT');
    expect(error?.message).not.toMatch(/try again|retry|shortly/i);
    expect(error?.message).toMatch(/0\.15 s limit/);
  });
});

describe('decode budget and base64 budget', () => {
  let server: TestServer;
  let token: string;
  let imageId: string;

  beforeAll(async () => {
    // 1600x1200 is 2 megapixels a pass: two passes fit in 5, the third does not.
    server = await startTestServer({ DECODE_MEGAPIXELS_PER_MINUTE: '5', QUOTA_COMPRESSIONS_PER_IMAGE: '20' });
    token = await server.signUp();
    imageId = (await uploadImage(server, token, await makeImage(1600, 1200))).id;
  });
  afterAll(async () => server?.close());

  it('charges each stored-image job its megapixels and refuses past the minute budget with 429', async () => {
    const options = { format: 'JPEG', quality: 60, width: 400 };
    const first = await server.gql(COMPRESS_IMAGE, { imageId, options }, token);
    const second = await server.gql(PREVIEW, { imageId, options }, token);
    const third = await server.gql(PREVIEW, { imageId, options }, token);
    expect(first.data?.compressImage.__typename).toBe('Compression');
    expect(second.data?.previewCompression.__typename).toBe('CompressedFile');
    expect(third.errors?.[0]?.extensions?.code).toBe('TOO_MANY_REQUESTS');
    expect(third.status).toBe(429);
  });

  it('answers at most 3 base64 fields per request, whether aliased or in a list', async () => {
    const response = await server.gql(
      `query($id: ID!) { image(id: $id) { compressions { id a: base64 b: base64 } } }`,
      { id: imageId },
      token,
    );
    const compression = await server.gql(`query($id: ID!) { image(id: $id) { compressions { id } } }`, { id: imageId }, token);
    expect(compression.data?.image.compressions.length).toBe(1);
    // One compression, two aliases: allowed. Four aliases on it: the fourth is refused.
    expect(response.errors).toBeUndefined();
    const four = await server.gql(
      `query($id: ID!) { image(id: $id) { compressions { a: base64 b: base64 c: base64 d: base64 } } }`,
      { id: imageId },
      token,
    );
    expect(four.errors?.map((error) => error.extensions?.code)).toEqual(['RESPONSE_TOO_LARGE']);
  });

  it('refuses base64 of a file over 12 MiB, and more than 24 MiB in one response', () => {
    const budget = new ResponseBudget();
    expect(() => budget.takeBase64(13 * 1024 * 1024)).toThrow(/up to 12582912 bytes/);
    budget.takeBase64(12 * 1024 * 1024);
    budget.takeBase64(12 * 1024 * 1024);
    expect(() => budget.takeBase64(1)).toThrow(/at most 3 times|at most 25165824 bytes/);
  });
});
