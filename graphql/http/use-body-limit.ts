// Yoga runs with maxRequestBodySize: false (its own check would refuse large uploads, and raising
// it copies bodies into memory), so non-multipart bodies are capped here: by Content-Length when
// one is declared, and by counting bytes as they arrive when the body is chunked. The API speaks
// JSON and multipart only: any other content type (urlencoded, application/graphql, text/plain
// with the CSRF header) is refused with 415 before a byte of its body is read, since Yoga's own
// parsers for those read the whole body into memory.
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { RequestErrorCodes } from '../shared/error-codes.ts';

export function useBodyLimit(maxBytes: number): Plugin {
  const tooLarge = () =>
    createGraphQLError(`The request body is larger than ${maxBytes} bytes.`, {
      extensions: { code: RequestErrorCodes.PAYLOAD_TOO_LARGE, http: { status: 413 } },
    });
  return {
    onRequestParse({ request, setRequestParser }) {
      const contentType = (request.headers.get('content-type') ?? '').toLowerCase();
      if (request.method !== 'POST' || contentType.startsWith('multipart/form-data')) return;
      if (Number(request.headers.get('content-length') ?? 0) > maxBytes) throw tooLarge();
      if (!/^application\/(?:[a-z.+-]*\+)?json\s*(?:;|$)/.test(contentType)) {
        throw createGraphQLError('The API takes application/json or multipart/form-data request bodies.', {
          extensions: { code: RequestErrorCodes.UNSUPPORTED_MEDIA_TYPE, http: { status: 415 } },
        });
      }
      setRequestParser(async (req) => {
        const text = await readCapped(req, maxBytes, tooLarge);
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          throw createGraphQLError('The request body is not valid JSON.', {
            extensions: { code: RequestErrorCodes.BAD_REQUEST, http: { status: 400 } },
          });
        }
        if (typeof body !== 'object' || body === null) {
          throw createGraphQLError('The request body must be a JSON object.', {
            extensions: { code: RequestErrorCodes.BAD_REQUEST, http: { status: 400 } },
          });
        }
        return body as never;
      });
    },
  };
}

/**
 * Past the limit the rest of the body is read and dropped (up to a bound) before answering 413:
 * a server that answers while the client is still sending and then closes makes the client see a
 * connection reset instead of the answer.
 */
const DRAIN_FACTOR = 16;

async function readCapped(request: Request, maxBytes: number, tooLarge: () => Error): Promise<string> {
  if (!request.body) return '';
  const decoder = new TextDecoder();
  let received = 0;
  let text = '';
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    received += chunk.byteLength;
    if (received > maxBytes * DRAIN_FACTOR) throw tooLarge();
    if (received <= maxBytes) text += decoder.decode(chunk, { stream: true });
  }
  if (received > maxBytes) throw tooLarge();
  return text + decoder.decode();
}
