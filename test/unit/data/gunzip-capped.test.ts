import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { DatasetError } from '../../../src/data/dataset';
import { gunzipCapped } from '../../../src/data/readers/file-bytes';

// gunzipCapped inflates into one preallocated buffer (no chunk list and joined copy): the output must
// still be exact across many zlib chunks, and caps and broken streams must still be clear errors.

const original = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251);

test('gunzipCapped returns exactly the original bytes across many output chunks', async () => {
  const out = await gunzipCapped('x.gz', gzipSync(original), original.length + 1024);
  assert.equal(out.length, original.length);
  assert.ok(Buffer.from(original).equals(out));
});

test('gunzipCapped: more output than the cap is a DatasetError naming the file', async () => {
  await assert.rejects(gunzipCapped('big.gz', gzipSync(original), 1000), (error: unknown) => {
    assert.ok(error instanceof DatasetError);
    assert.match(error.message, /^big\.gz: decompresses to more than/);
    return true;
  });
});

test('gunzipCapped: a cut stream is reported as truncated', async () => {
  const cut = gzipSync(original).subarray(0, 500);
  await assert.rejects(gunzipCapped('cut.gz', cut, original.length), /cut\.gz: gzip data is truncated/);
});
