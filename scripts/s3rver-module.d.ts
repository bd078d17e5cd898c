// s3rver ships no types; this is the part scripts/s3rver.ts uses.
declare module 's3rver' {
  interface S3rverOptions {
    directory: string;
    address?: string;
    port?: number;
    silent?: boolean;
    configureBuckets?: { name: string; configs: string[] }[];
  }
  export default class S3rver {
    constructor(options: S3rverOptions);
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
  }
}
