import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { contentSecurityPolicy, webviewDocument, type WebviewApp } from '../../src/extension/webview-document';
import type { LabState, ToLab } from '../../src/protocol/lab-protocol';

/**
 * Runs a built webview (dist/webview/<app>.js, media/lab.css) in real headless Chromium, served
 * from 127.0.0.1 with the extension host's HTML and its strict content security policy, and
 * a fake `acquireVsCodeApi` that records what the page posts.
 */

export const root = join(__dirname, '..', '..');
export const resultsDir = join(root, 'test-results');
/** The built webview bundles under test (WEBVIEW_DIST overrides, e.g. for a build of one's own). */
const webviewDist = process.env.WEBVIEW_DIST ?? join(root, 'dist', 'webview');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export type { WebviewApp };
export type Theme = 'dark' | 'light' | 'high-contrast';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
};

/** A few of VS Code's theme variables (as the workbench sets them on <html>), per theme. */
const THEMES: Record<Theme, { bodyClass: string; css: string }> = {
  dark: {
    bodyClass: 'vscode-dark',
    css: `--vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px; --vscode-font-weight: normal;
      --vscode-editor-font-family: monospace; --vscode-foreground: #cccccc; --vscode-descriptionForeground: #9d9d9d;
      --vscode-editor-background: #1f1f1f; --vscode-editorWidget-background: #202020; --vscode-sideBar-background: #181818;
      --vscode-panel-border: #2b2b2b; --vscode-focusBorder: #0078d4; --vscode-errorForeground: #f85149;
      --vscode-charts-blue: #3794ff; --vscode-charts-orange: #d18616; --vscode-charts-green: #89d185;
      --vscode-charts-purple: #b180d7; --vscode-charts-red: #f14c4c; --vscode-charts-yellow: #cca700;
      --vscode-charts-lines: rgba(204, 204, 204, 0.25); --vscode-button-background: #0078d4; --vscode-button-foreground: #ffffff;
      --vscode-button-hoverBackground: #026ec1; --vscode-button-secondaryBackground: #313131; --vscode-button-secondaryForeground: #cccccc;
      --vscode-button-secondaryHoverBackground: #3c3c3c; --vscode-dropdown-background: #313131; --vscode-dropdown-border: #3c3c3c;
      --vscode-dropdown-foreground: #cccccc; --vscode-input-background: #313131; --vscode-input-foreground: #cccccc;
      --vscode-input-border: #3c3c3c; --vscode-input-placeholderForeground: #989898; --vscode-checkbox-background: #313131;
      --vscode-checkbox-border: #3c3c3c; --vscode-checkbox-foreground: #cccccc; --vscode-editorWarning-foreground: #cca700;
      --vscode-inputValidation-errorBackground: #5a1d1d; --vscode-inputValidation-errorBorder: #be1100;`,
  },
  light: {
    bodyClass: 'vscode-light',
    css: `--vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px; --vscode-font-weight: normal;
      --vscode-editor-font-family: monospace; --vscode-foreground: #3b3b3b; --vscode-descriptionForeground: #717171;
      --vscode-editor-background: #ffffff; --vscode-editorWidget-background: #f8f8f8; --vscode-sideBar-background: #f8f8f8;
      --vscode-panel-border: #e5e5e5; --vscode-focusBorder: #005fb8; --vscode-errorForeground: #f85149;
      --vscode-charts-blue: #1a85ff; --vscode-charts-orange: #d18616; --vscode-charts-green: #388a34;
      --vscode-charts-purple: #652d90; --vscode-charts-red: #e51400; --vscode-charts-yellow: #bf8803;
      --vscode-charts-lines: rgba(0, 0, 0, 0.15); --vscode-button-background: #005fb8; --vscode-button-foreground: #ffffff;
      --vscode-button-secondaryBackground: #e5e5e5; --vscode-button-secondaryForeground: #3b3b3b;
      --vscode-dropdown-background: #ffffff; --vscode-dropdown-border: #cecece; --vscode-dropdown-foreground: #3b3b3b;
      --vscode-input-background: #ffffff; --vscode-input-foreground: #3b3b3b; --vscode-input-border: #cecece;
      --vscode-input-placeholderForeground: #767676; --vscode-checkbox-background: #f8f8f8; --vscode-checkbox-border: #cecece;
      --vscode-checkbox-foreground: #3b3b3b; --vscode-button-hoverBackground: #0258a8; --vscode-button-secondaryHoverBackground: #cccccc;
      --vscode-editorWarning-foreground: #bf8803; --vscode-inputValidation-errorBackground: #f2dede; --vscode-inputValidation-errorBorder: #be1100;`,
  },
  'high-contrast': {
    bodyClass: 'vscode-high-contrast',
    css: `--vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px; --vscode-font-weight: normal;
      --vscode-editor-font-family: monospace; --vscode-foreground: #ffffff; --vscode-descriptionForeground: #ffffff;
      --vscode-editor-background: #000000; --vscode-contrastBorder: #6fc3df; --vscode-focusBorder: #f38518;
      --vscode-errorForeground: #f48771; --vscode-charts-blue: #3794ff; --vscode-charts-orange: #d18616;
      --vscode-charts-green: #89d185; --vscode-charts-purple: #b180d7; --vscode-charts-lines: rgba(255, 255, 255, 0.5);
      --vscode-button-background: #000000; --vscode-button-foreground: #ffffff; --vscode-button-border: #6fc3df;`,
  },
};

interface ServedPage {
  server: Server;
  origin: string;
  /** The nonce of the last page served. */
  nonce: string;
}

/** Serves /dist/webview/*, /media/* and /<app>.html (the host's HTML, CSP as a header and a meta tag). */
async function serve(theme: Theme): Promise<ServedPage> {
  const served: ServedPage = { server: undefined as unknown as Server, origin: '', nonce: '' };
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const app = /^\/(lab|training-view|inspector)\.html$/.exec(path)?.[1] as WebviewApp | undefined;
    if (app) {
      const nonce = randomBytes(18).toString('base64');
      served.nonce = nonce;
      const csp = contentSecurityPolicy(served.origin, nonce);
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp });
      response.end(pageHtml(app, served.origin, nonce, theme));
      return;
    }
    if (path === '/favicon.ico') {
      response.writeHead(204).end();
      return;
    }
    if (path === '/theme.css') {
      response.writeHead(200, { 'content-type': 'text/css' });
      response.end(`html { ${THEMES[theme].css} }`);
      return;
    }
    const file = path.startsWith('/dist/webview/') ? normalize(join(webviewDist, path.slice('/dist/webview/'.length))) : normalize(join(root, path));
    const allowed = [webviewDist + sep, join(root, 'media') + sep].some((prefix) => file.startsWith(prefix));
    if (!allowed || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    response.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  served.server = server;
  served.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return served;
}

/** The very document the extension host writes (src/extension/webview-document.ts), plus the theme stylesheet. */
function pageHtml(app: WebviewApp, origin: string, nonce: string, theme: Theme): string {
  return webviewDocument({
    app,
    title: app,
    language: 'en',
    cspSource: origin,
    nonce,
    asset: (path) => `/${path}`,
    extraStylesheets: ['/theme.css'],
    bodyClass: THEMES[theme].bodyClass,
  });
}

export interface WebviewPage {
  page: Page;
  /** Console errors and page errors seen so far. */
  errors: string[];
  /** Messages the page posted to the host. */
  posted(): Promise<Array<{ type: string } & Record<string, unknown>>>;
  /** Waits for the page to post a message of this type (the `count`-th one) and returns it. */
  waitForPosted(type: string, count?: number): Promise<{ type: string } & Record<string, unknown>>;
  /** Sends a host message, then waits until the page's redraw has run. */
  send(message: ToLab): Promise<void>;
  sendState(state: LabState): Promise<void>;
  probe<T>(name: string, ...args: unknown[]): Promise<T>;
  violations(): Promise<string[]>;
  screenshot(name: string): Promise<string>;
  /** Reloads the page (as VS Code does with a hidden webview shown again); the saved webview state survives. */
  reload(): Promise<void>;
  close(): Promise<void>;
}

export interface WebviewBrowser {
  open(app: WebviewApp, options?: { width?: number; height?: number; theme?: Theme }): Promise<WebviewPage>;
  close(): Promise<void>;
}

const fakeVsCode = readFileSync(join(__dirname, 'fake-vscode.js'), 'utf8');

export async function launchWebviewBrowser(): Promise<WebviewBrowser> {
  for (const app of ['lab', 'training-view', 'inspector']) {
    if (!existsSync(join(webviewDist, `${app}.js`))) {
      throw new Error(`${join(webviewDist, `${app}.js`)} is missing: run \`npm run build\` first`);
    }
  }
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true });
  const servers: Server[] = [];
  return {
    async open(app, options = {}) {
      const served = await serve(options.theme ?? 'dark');
      servers.push(served.server);
      const context = await browser.newContext({ viewport: { width: options.width ?? 1100, height: options.height ?? 900 } });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (message: ConsoleMessage) => {
        const { url, lineNumber } = message.location();
        if (message.type() === 'error') errors.push(`${message.text()} (${url}:${lineNumber + 1})`);
      });
      page.on('pageerror', (error) => errors.push(String(error)));
      await page.addInitScript({ content: fakeVsCode });
      await page.goto(`${served.origin}/${app}.html`);
      const probe = <T>(name: string, ...args: unknown[]) =>
        page.evaluate(`window.__probe[${JSON.stringify(name)}](...${JSON.stringify(args)})`) as Promise<T>;
      const posted = () => probe<Array<{ type: string } & Record<string, unknown>>>('posted');
      const view: WebviewPage = {
        page,
        errors,
        posted,
        async waitForPosted(type, count = 1) {
          // Polled from here: page.waitForFunction with a string predicate needs eval in the page,
          // which the content security policy (rightly) refuses.
          const deadline = Date.now() + 5000;
          for (;;) {
            const matching = (await posted()).filter((m) => m.type === type);
            if (matching.length >= count) return matching[count - 1];
            if (Date.now() > deadline) throw new Error(`the page did not post ${count} × "${type}" (posted: ${(await posted()).map((m) => m.type).join(', ')})`);
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        },
        async send(message) {
          await probe('send', message);
          await probe('frames');
        },
        sendState(state) {
          return view.send({ type: 'state', state });
        },
        probe,
        async violations() {
          const all = await probe<Array<{ directive: string; blocked: string; source: string; line: number; column: number }>>('violations');
          return all.map((v) => `${v.directive} ${v.blocked} ${v.source}:${v.line}:${v.column}`);
        },
        async screenshot(name) {
          await mkdir(resultsDir, { recursive: true });
          const path = join(resultsDir, name);
          await page.screenshot({ path, fullPage: true });
          return path;
        },
        async reload() {
          await page.reload();
          await view.waitForPosted('ready');
        },
        async close() {
          await context.close();
          await new Promise<void>((resolve) => served.server.close(() => resolve()));
        },
      };
      await view.waitForPosted('ready');
      return view;
    },
    async close() {
      await browser.close();
      for (const server of servers) server.close();
    },
  };
}
