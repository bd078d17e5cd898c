import { describe, expect, it } from 'vitest';
import { CompressUploadMutation, UploadImageMutation } from './operations.ts';
import { buildMultipartBody, parseResponse } from './multipart.ts';

describe('GraphQL multipart request', () => {
  it('puts null for the file in operations, maps it, and appends the file last', async () => {
    const file = new File([new Uint8Array([1, 2, 3])], 'beach.jpg', { type: 'image/jpeg' });
    const body = buildMultipartBody(UploadImageMutation, { file, name: 'Beach', tags: ['sea'] });
    expect([...body.keys()]).toEqual(['operations', 'map', '0']);
    const operations = JSON.parse(body.get('operations') as string) as { query: string; variables: unknown };
    expect(operations.variables).toEqual({ file: null, name: 'Beach', tags: ['sea'] });
    expect(operations.query).toMatch(/^mutation UploadImage\(\$file: Upload!/);
    expect(JSON.parse(body.get('map') as string)).toEqual({ 0: ['variables.file'] });
    const part = body.get('0') as File;
    expect([part.name, part.type, new Uint8Array(await part.arrayBuffer())]).toEqual([
      'beach.jpg',
      'image/jpeg',
      new Uint8Array([1, 2, 3]),
    ]);
  });

  it('finds files nested anywhere in the variables, once per file', () => {
    const file = new File(['x'], 'a.png', { type: 'image/png' });
    const body = buildMultipartBody(CompressUploadMutation, { file, options: { format: 'PNG', width: 10 } });
    expect(JSON.parse(body.get('operations') as string).variables).toEqual({ file: null, options: { format: 'PNG', width: 10 } });
    expect(JSON.parse(body.get('map') as string)).toEqual({ 0: ['variables.file'] });
  });

  it('reads JSON answers and keeps non-JSON ones as an error', () => {
    expect(parseResponse(200, '{"data":{"a":1}}')).toEqual({ status: 200, data: { a: 1 }, errors: undefined });
    expect(parseResponse(413, 'Payload Too Large')).toEqual({ status: 413, errors: [{ message: 'Payload Too Large' }] });
  });
});
