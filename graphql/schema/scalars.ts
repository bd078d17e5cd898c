import { GraphQLUpload } from 'graphql-upload-minimal';
import { builder } from '../builder.ts';

builder.addScalarType('Upload', GraphQLUpload, {});

builder.scalarType('DateTime', {
  description: 'ISO-8601 timestamp',
  serialize: (value) => (value instanceof Date ? value.toISOString() : new Date(value).toISOString()),
  parseValue: (value) => {
    const date = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
    if (Number.isNaN(date.getTime())) throw new TypeError('DateTime must be an ISO-8601 string');
    return date;
  },
});
