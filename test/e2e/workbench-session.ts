// One real VS Code workbench for a test: code-server on a temp copy of the sample workspace, driven by
// Debian's Chromium through playwright-core. Shared by test/e2e (the packaged .vsix, driven like a user)
// and test/vscode/in-code-server.test.ts (the integration suite run by the runner extension).
// The extension host only starts once a browser client connects, so both need the browser.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { checkSystemPackages, findChromium, startCodeServer, type RunningCodeServer } from '../../scripts/code-server.mjs';

export const repoRoot = join(__dirname, '..', '..');

export const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Settings that keep the workbench quiet and predictable for a test. */
const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'chat.disableAIFeatures': true,
};

export interface WorkbenchSession {
  /** Temp root holding workspace/, user-data/, extensions/. */
  root: string;
  workspace: string;
  userDataDir: string;
  extensionsDir: string;
  server: RunningCodeServer;
  browser: Browser;
  page: Page;
  /**
   * Closes the browser, stops code-server (and its extension host) and removes the temp root.
   * Resolves to the pids of code-server's descendants still alive afterwards (orphans): none, normally.
   */
  close(options?: { keep?: boolean }): Promise<number[]>;
}

export interface WorkbenchOptions {
  /** Installs extensions into the (empty) extensions dir before code-server starts. */
  installExtensions(extensionsDir: string, userDataDir: string): Promise<void> | void;
  settings?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the workbench to render. */
  timeoutMs?: number;
}

/** A process and all its live descendants, from `ps`. */
export function processTree(pid: number): number[] {
  const listing = spawnSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  const children = new Map<number, number[]>();
  for (const line of listing.stdout.trim().split('\n')) {
    const [child, parent] = line.trim().split(/\s+/).map(Number);
    children.set(parent, [...(children.get(parent) ?? []), child]);
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]) ?? []));
  return tree;
}

/** Running, not a zombie (an ended child its parent has not reaped yet). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = spawnSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).stdout.trim();
  return stat !== '' && !stat.startsWith('Z');
}

/** Fails with one clear message when the machine lacks what the recipe needs. */
export function assertWorkbenchPrerequisites(): void {
  const missing = checkSystemPackages();
  if (missing.length > 0) throw new Error(`the workbench tests need: ${missing.join('; ')} (apt-get install -y chromium libkrb5-dev ripgrep)`);
}

async function bounded<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function openWorkbench(options: WorkbenchOptions): Promise<WorkbenchSession> {
  assertWorkbenchPrerequisites();
  const root = mkdtempSync(join(tmpdir(), 'autoencoder-lab-workbench-'));
  const workspace = join(root, 'workspace');
  const userDataDir = join(root, 'user-data');
  const extensionsDir = join(root, 'extensions');
  // Not the runs a developer made in samples/ (npm start): every test starts with no runs.
  cpSync(join(repoRoot, 'samples'), workspace, { recursive: true, filter: (source) => !source.includes('.autoencoder-lab') });
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...options.settings }, null, 2));

  let server: RunningCodeServer | undefined;
  let browser: Browser | undefined;
  const close = async ({ keep = false } = {}): Promise<number[]> => {
    // Everything code-server started (extension host, file watcher, the trainer) must end with it.
    const family = server ? processTree(server.process.pid ?? -1) : [];
    if (browser) await bounded(browser.close(), 10_000);
    if (server) await server.stop();
    if (!keep) rmSync(root, { recursive: true, force: true });
    const deadline = Date.now() + 5000;
    let survivors = family.filter(isAlive);
    while (survivors.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      survivors = survivors.filter(isAlive);
    }
    return survivors;
  };
  try {
    await options.installExtensions(extensionsDir, userDataDir);
    server = await startCodeServer({ workspace, extensionsDir, userDataDir, env: options.env, timeoutMs: 60_000 });
    browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_FLAGS, headless: true, timeout: 60_000 });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(30_000);
    await page.goto(server.url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: options.timeoutMs ?? 90_000 });
    return { root, workspace, userDataDir, extensionsDir, server, browser, page, close };
  } catch (error) {
    await close({ keep: true });
    throw error;
  }
}

/** Copies the built extension (what the .vsix would hold) to `<extensionsDir>/<publisher>.<name>-<version>`. */
export function installBuiltExtension(extensionsDir: string): string {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
  const target = join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`);
  mkdirSync(target, { recursive: true });
  for (const entry of ['package.json', 'package.nls.json', 'package.nls.zh-cn.json', 'LICENSE', 'README.md', 'dist', 'media', 'l10n']) {
    const source = join(repoRoot, entry);
    if (existsSync(source)) cpSync(source, join(target, entry), { recursive: true });
  }
  return target;
}
