// GraphQL multipart requests (https://github.com/jaydenseric/graphql-multipart-request-spec) sent
// with XMLHttpRequest, because fetch reports no upload progress. Typed by the codegen document:
// the variables must match it and the result comes back as its result type.
import { stringifyDocument, type TypedDocumentNode } from '@urql/core';
import { GRAPHQL_PATH } from '../../../graphql/shared/http.ts';

export interface MultipartResult<Result> {
  /** HTTP status; 0 when the request never got an answer. */
  status: number;
  data?: Result | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

export interface UploadProgress {
  loaded: number;
  total: number;
}

/**
 * The spec's three parts: `operations` with every File replaced by null, `map` from part name to
 * the variable paths that file fills, then the files themselves.
 */
export function buildMultipartBody<Variables extends Record<string, unknown>>(
  document: TypedDocumentNode<unknown, Variables>,
  variables: Variables,
): FormData {
  const files: Array<{ file: File; paths: string[] }> = [];
  const strip = (value: unknown, path: string): unknown => {
    if (value instanceof File) {
      const known = files.find((entry) => entry.file === value);
      if (known) known.paths.push(path);
      else files.push({ file: value, paths: [path] });
      return null;
    }
    if (Array.isArray(value)) return value.map((item, index) => strip(item, `${path}.${index}`));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, strip(item, `${path}.${key}`)]));
    }
    return value;
  };
  const operations = { query: stringifyDocument(document), variables: strip(variables, 'variables') };
  const map = Object.fromEntries(files.map((entry, index) => [String(index), entry.paths]));
  const body = new FormData();
  body.append('operations', JSON.stringify(operations));
  body.append('map', JSON.stringify(map));
  for (const [index, entry] of files.entries()) body.append(String(index), entry.file, entry.file.name);
  return body;
}

export function sendMultipart<Result, Variables extends Record<string, unknown>>(
  document: TypedDocumentNode<Result, Variables>,
  variables: Variables,
  options: { onProgress?: (progress: UploadProgress) => void; signal?: AbortSignal; url?: string } = {},
): Promise<MultipartResult<Result>> {
  const body = buildMultipartBody(document, variables);
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', options.url ?? GRAPHQL_PATH);
    // The API refuses multipart requests without it (CSRF prevention).
    xhr.setRequestHeader('x-graphql-yoga-csrf', 'pixpress-site');
    xhr.setRequestHeader('accept', 'application/graphql-response+json, application/json');
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) options.onProgress?.({ loaded: event.loaded, total: event.total });
    };
    xhr.onload = () => resolve(parseResponse<Result>(xhr.status, xhr.responseText));
    xhr.onerror = () => resolve({ status: 0 });
    xhr.onabort = () => resolve({ status: 0, errors: [{ message: 'Cancelled.' }] });
    options.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(body);
  });
}

export function parseResponse<Result>(status: number, text: string): MultipartResult<Result> {
  try {
    const json = JSON.parse(text) as { data?: Result | null; errors?: MultipartResult<Result>['errors'] };
    return { status, data: json.data, errors: json.errors };
  } catch {
    return { status, errors: [{ message: text.slice(0, 200) || `HTTP ${status}` }] };
  }
}
