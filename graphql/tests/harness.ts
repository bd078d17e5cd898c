// A real Pixpress API on an ephemeral port over a temp data folder, and a small client for it.
// Every test file starts its own server, so tests share nothing but the machine.
import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App, type AppOptions } from '../app.ts';
import { loadConfig, type Config } from '../config.ts';
import type { BlobStore, RecordStore } from '../store/ports.ts';
import { backendFor } from './backends.ts';

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  headers: Headers;
  data?: T | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown>; path?: string[] }>;
}

export interface TestServer {
  url: string;
  app: App;
  config: Config;
  dataDir: string;
  /** A JSON POST to /graphql. */
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse<T>>;
  /** A GraphQL multipart request: `files` maps variable paths (e.g. "file") to contents. */
  multipart<T = Record<string, any>>(
    query: string,
    variables: Record<string, unknown>,
    files: Record<string, UploadedFile>,
    token?: string,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<T>>;
  /** Signs up a fresh user and returns its token. */
  signUp(username?: string, password?: string): Promise<string>;
  /** Stops listening; the data folder stays until removeData(). */
  stop(): Promise<void>;
  /** Stops and deletes the data folder (and, on Postgres + S3, the database and bucket). */
  close(): Promise<void>;
}

export const CSRF = { 'x-graphql-yoga-csrf': '1' };

export interface UploadedFile {
  data: Uint8Array;
  filename: string;
  type?: string;
}

/** A GraphQL multipart request's body: each file goes to the variable its key names. */
export function multipartForm(query: string, variables: Record<string, unknown>, files: Record<string, UploadedFile>): FormData {
  const form = new FormData();
  const map: Record<string, string[]> = {};
  for (const [index, path] of Object.keys(files).entries()) map[String(index)] = [`variables.${path}`];
  form.append('operations', JSON.stringify({ query, variables }));
  form.append('map', JSON.stringify(map));
  for (const [index, file] of Object.values(files).entries()) {
    form.append(String(index), new Blob([new Uint8Array(file.data)], { type: file.type ?? 'application/octet-stream' }), file.filename);
  }
  return form;
}
const UNLIMITED_ADDRESS = {
  LOGIN_ATTEMPTS_PER_ADDRESS: '1000000',
  SIGNUPS_PER_ADDRESS_PER_HOUR: '100000',
  REQUESTS_IN_FLIGHT_PER_ADDRESS: '0',
};
let userCounter = 0;

export async function startTestServer(
  env: Record<string, string> = {},
  dataDir?: string,
  appOptions: AppOptions = {},
): Promise<TestServer> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'pixpress-test-')));
  const backend = await backendFor(dir);
  // Every test client is 127.0.0.1: the per-address budgets are lifted unless a test sets them.
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    SEED_USER: '',
    ...UNLIMITED_ADDRESS,
    ...backend.env,
    ...env,
    DATA_DIR: dir,
  });
  const app = await createApp(config, appOptions);
  const server: Server = createServer((req, res) => {
    app.handle(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const parse = async <T>(response: Response): Promise<GraphQLResponse<T>> => {
    const text = await response.text();
    let body: { data?: T; errors?: GraphQLResponse<T>['errors'] } = {};
    try {
      body = JSON.parse(text);
    } catch {
      body = { errors: [{ message: text }] };
    }
    return { status: response.status, headers: response.headers, data: body.data, errors: body.errors };
  };

  const testServer: TestServer = {
    url,
    app,
    config,
    dataDir: dir,
    async gql(query, variables = {}, token) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return parse(response);
    },
    async multipart(query, variables, files, token, headers = CSRF) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: multipartForm(query, variables, files),
      });
      return parse(response);
    },
    async signUp(username = `user${process.pid}x${++userCounter}`, password = 'correct horse battery') {
      const result = await testServer.gql<{ signUp: { token?: string; code?: string } }>(
        `mutation($u: String!, $p: String!) { signUp(username: $u, password: $p) { ... on AuthPayload { token } ... on Error { code } } }`,
        { u: username, p: password },
      );
      const token = result.data?.signUp.token;
      if (!token) throw new Error(`sign-up failed: ${JSON.stringify(result)}`);
      return token;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.close();
    },
    async close() {
      await testServer.stop();
      await backend.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return testServer;
}

export const UPLOAD_IMAGE = `
  mutation Upload($file: Upload!, $name: String, $tags: [String!]) {
    uploadImage(file: $file, name: $name, tags: $tags) {
      __typename
      ... on Image { id name format mimeType width height bytes tags url thumbnailUrl createdAt }
      ... on Error { code message }
      ... on ValidationError { field }
      ... on QuotaExceededError { limit }
      ... on FileTooLargeError { maxBytes maxPixels }
    }
  }`;

export async function uploadImage(
  server: TestServer,
  token: string,
  data: Uint8Array,
  filename = 'photo.jpg',
  extra: { name?: string; tags?: string[] } = {},
): Promise<Record<string, any>> {
  const result = await server.multipart(UPLOAD_IMAGE, { file: null, ...extra }, { file: { data, filename } }, token);
  if (!result.data?.uploadImage) throw new Error(`upload failed: ${JSON.stringify(result)}`);
  return result.data.uploadImage;
}

/** Keys of every stored file (originals, thumbnails, compressions), through the blob port. */
export async function storedKeys(server: TestServer): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of server.app.services.blobs.list()) for (const blob of page) keys.push(blob.key);
  return keys.sort();
}

/** How many compressions of an image the records hold. */
export async function compressionCount(server: TestServer, imageId: string): Promise<number> {
  return (await server.app.services.records.listCompressions([imageId])).get(imageId)?.length ?? 0;
}

/** Files left in the scratch folder (uploads and downloads in progress), at any depth. */
export async function scratchFiles(server: { dataDir: string }): Promise<string[]> {
  const entries = await readdir(join(server.dataDir, '.tmp'), { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
}

/**
 * What the records and the stored files disagree on, through the ports (so it holds for every
 * backend): files no record names, and files a record names that are not there.
 */
export async function recordsAndFilesDisagree(records: RecordStore, blobs: BlobStore): Promise<{ orphans: string[]; missing: string[] }> {
  const stored = new Set<string>();
  for await (const page of blobs.list()) for (const blob of page) stored.add(blob.key);
  const referenced: string[] = [];
  for await (const page of records.storedFiles()) {
    for (const image of page) referenced.push(...image.imageFiles, ...image.compressions.map((compression) => compression.file));
  }
  const referencedSet = new Set(referenced);
  return {
    orphans: [...stored].filter((key) => !referencedSet.has(key)).sort(),
    missing: referenced.filter((key) => !stored.has(key)).sort(),
  };
}

/** recordsAndFilesDisagree for a test server, with the scratch files it left. */
export async function storageProblems(server: TestServer): Promise<{ orphans: string[]; missing: string[]; scratch: string[] }> {
  const { records, blobs } = server.app.services;
  return { ...(await recordsAndFilesDisagree(records, blobs)), scratch: await scratchFiles(server) };
}

/** Stored keys and scratch files together: what a refused request must leave unchanged. */
export async function storedAndScratch(server: TestServer): Promise<string[]> {
  return [...(await storedKeys(server)), ...(await scratchFiles(server)).map((name) => `.tmp/${name}`)].sort();
}
