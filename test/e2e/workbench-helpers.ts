// What the e2e tests share: the packaged .vsix under test, driving the workbench as a user does
// (command palette, quick picks), finding webview frames, the run folder on disk and failure artifacts.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';
import { repoRoot, type WorkbenchSession } from './workbench-session';

export const artifacts = join(repoRoot, 'test-results');
export const vsix = process.env.AUTOENCODER_LAB_VSIX ?? join(repoRoot, 'autoencoder-lab.vsix');

/** A .vsix packaged after the current build (npm test packages before the tests) is reused. */
function vsixIsFresh(): boolean {
  if (!existsSync(vsix)) return false;
  const built = ['package.json', 'dist/extension.js', 'dist/trainer.js', 'dist/webview/lab.js'].map((file) => join(repoRoot, file));
  return built.every((file) => existsSync(file) && statSync(file).mtimeMs <= statSync(vsix).mtimeMs);
}

/** The .vsix under test is built here (production build + vsce) unless a fresh one exists or is handed in. */
export function ensurePackagedVsix(): void {
  if (!process.env.AUTOENCODER_LAB_VSIX && !vsixIsFresh()) {
    const result = spawnSync(process.execPath, ['scripts/package.mjs'], { cwd: repoRoot, encoding: 'utf8', timeout: 5 * 60_000 });
    const output = `${result.stdout}${result.stderr}`.split('\n').slice(-30).join('\n');
    assert.equal(result.status, 0, `npm run package failed:\n${output}`);
  }
  assert.ok(existsSync(vsix), `${vsix} exists`);
}

/** Keeps code-server's logs and a screenshot under test-results/<name>-logs and <name>-failed.png. */
export async function keepFailureArtifacts(session: WorkbenchSession, name: string): Promise<void> {
  const logs = join(artifacts, `${name}-logs`);
  mkdirSync(logs, { recursive: true });
  cpSync(session.server.logFile, join(logs, 'code-server.log'));
  if (existsSync(join(session.userDataDir, 'logs'))) cpSync(join(session.userDataDir, 'logs'), join(logs, 'logs'), { recursive: true });
  await session.page.screenshot({ path: join(artifacts, `${name}-failed.png`) }).catch(() => undefined);
}

/**
 * Opens the command palette on `title` and resolves to the first matching row, left open. The palette
 * lists contributed commands only once the extension host has registered them, so an early
 * "No matching commands" is retried.
 */
export async function findInCommandPalette(page: Page, title: string, timeoutMs = 60_000): Promise<Locator> {
  const deadline = Date.now() + timeoutMs;
  const input = page.locator('.quick-input-widget input');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  for (;;) {
    await page.keyboard.press('F1');
    try {
      // A busy workbench may still be laying out the Welcome page: a user presses F1 again.
      await input.waitFor({ state: 'visible', timeout: 5000 });
    } catch (error) {
      if (Date.now() > deadline) throw error;
      continue;
    }
    try {
      // The palette can close again while the Welcome page takes focus: a user opens it again.
      await input.fill(`>${title}`, { timeout: 5000 });
      await row.waitFor({ state: 'visible', timeout: 3000 });
      return row;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await page.keyboard.press('Escape');
      await page.waitForTimeout(1000);
    }
  }
}

/** Runs a command by its title from the command palette, as a user does. */
export async function runFromCommandPalette(page: Page, title: string, timeoutMs = 60_000): Promise<void> {
  await findInCommandPalette(page, title, timeoutMs);
  await page.keyboard.press('Enter');
}

/** Picks the quick-pick row whose text contains `text` (the items may arrive asynchronously). */
export async function pickQuickPickItem(page: Page, text: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(text);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first().waitFor({ state: 'visible', timeout: 60_000 });
  await page.keyboard.press('Enter');
}

/** The webview content frame holding `selector` (webviews are nested iframes inside the workbench page). */
export async function findFrame(page: Page, selector: string, timeoutMs: number): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      const found = await frame.locator(selector).count().catch(() => 0);
      if (found > 0) return frame;
    }
    await page.waitForTimeout(500);
  }
  throw new Error(`no webview with ${selector} appeared within ${timeoutMs / 1000} s (frames: ${page.frames().map((f) => f.url().slice(0, 80)).join(' | ')})`);
}

export function runFolders(workspace: string): string[] {
  const root = join(workspace, '.autoencoder-lab/runs');
  return existsSync(root) ? readdirSync(root).map((name) => join(root, name)) : [];
}

/** Resolves to the first run folder whose status.json says it completed (fails on any other end). */
export async function waitForCompletedRun(workspace: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const dir of runFolders(workspace)) {
      const statusFile = join(dir, 'status.json');
      if (existsSync(statusFile)) {
        // status.json says "running" while the run trains, and its final status once it has ended.
        const status = JSON.parse(readFileSync(statusFile, 'utf8')) as { status: string };
        if (status.status === 'running') continue;
        assert.equal(status.status, 'completed', `run ${dir} ended ${status.status}`);
        return dir;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`no run in ${workspace}/.autoencoder-lab/runs finished within ${timeoutMs / 1000} s`);
}
