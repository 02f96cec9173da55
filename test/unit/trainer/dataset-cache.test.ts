import assert from 'node:assert/strict';
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TrainerClient } from '../../../src/trainer/trainer-client';
import { ensureBuilt, startedClient, temporaryFolder } from './trainer-helpers';

// The trainer keeps the last dataset it opened (paging, describe, generate reuse it): a file changed
// on disk since must be read again, by the real child process as the lab uses it.

describe('trainer dataset cache', () => {
  const folder = temporaryFolder('dataset-cache');
  let client: TrainerClient | undefined;

  before(() => ensureBuilt());
  after(() => {
    client?.dispose();
    folder.remove();
  });

  test('inspect and describe see a dataset file changed since it was first read', async () => {
    ({ client } = await startedClient());
    const file = join(folder.path, 'table.csv');
    writeFileSync(file, 'a,b,c\n1,2,3\n4,5,6\n');
    const first = await client.request({ type: 'inspect', dataset: { path: file }, page: 0, pageSize: 8 });
    assert.equal(first.result.summary.count, 2);
    assert.deepEqual(first.result.summary.inputShape, [3]);

    // The user fixes the file: a fourth column and more rows (and a later modification time).
    writeFileSync(file, 'a,b,c,d\n1,2,3,4\n4,5,6,7\n7,8,9,10\n');
    const later = new Date(Date.now() + 5000);
    utimesSync(file, later, later);
    const second = await client.request({ type: 'inspect', dataset: { path: file }, page: 0, pageSize: 8 });
    assert.equal(second.result.summary.count, 3, 'inspect reads the changed file');
    const described = await client.request({ type: 'describe', dataset: { path: file }, config: { preset: 'dense', codeSize: 2 } });
    assert.deepEqual(described.dataset.inputShape, [4], 'describe checks the config against the changed file');
  });
});
