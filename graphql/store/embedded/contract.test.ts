// The contract every records backend keeps (testsuite/records-contract.ts), on the embedded
// document in a temp folder with the in-memory rate counters.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRecordStoreContract } from '../testsuite/records-contract.ts';
import { MemoryRateCounters } from './rate-counters.ts';
import { EmbeddedRecordStore } from './records.ts';

describeRecordStoreContract('embedded', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'pixpress-contract-'));
  const records = await EmbeddedRecordStore.open(dataDir);
  return {
    records,
    rateCounters: new MemoryRateCounters(),
    cleanup: async () => {
      await records.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
});
