/* global setTimeout */
import { mkdirSync, rmSync, statSync } from 'node:fs';

const STALE_MS = 20 * 60_000;

function sleep(ms) {
  return new Promise((done) => setTimeout(done, ms));
}

/**
 * Runs `install` once across concurrent callers: a lock directory (mkdir is atomic) guards it, and
 * `isDone` is checked again under the lock, since another process may have finished meanwhile.
 * A lock older than 20 minutes belonged to a crashed process and is taken over.
 */
export async function installOnce({ what, lockDir, isDone, install }) {
  if (isDone()) return;
  const deadline = Date.now() + STALE_MS;
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch {
      if (Date.now() - (statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? 0) > STALE_MS) rmSync(lockDir, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`${what}: timed out waiting for the install lock ${lockDir}`);
      await sleep(2000);
    }
  }
  try {
    if (!isDone()) install();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}
