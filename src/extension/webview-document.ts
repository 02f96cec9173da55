/**
 * The HTML document of every webview, free of the `vscode` module so the Chromium tests serve the
 * very same document. Strict content security policy: nothing by default; scripts only with this
 * page's crypto-random nonce; styles, fonts and images only from the extension (images also as
 * blob:/data: URLs drawn by the script). Styles also accept the nonce, announced in a
 * `csp-nonce` meta tag: the toolkit (FAST) probes `:focus-visible` support with a <style>
 * element carrying that nonce — without it the probe is refused and keyboard focus rings fall
 * back to `:focus`. No 'unsafe-inline' anywhere.
 */

/** The three webviews; each has its own bundle in dist/webview/. */
export type WebviewApp = 'lab' | 'training-view' | 'inspector';

export interface WebviewDocumentOptions {
  app: WebviewApp;
  title: string;
  /** BCP 47 language of the UI, e.g. `en` or `zh-cn`. */
  language: string;
  /** The origin(s) the webview may load resources from (`webview.cspSource`). */
  cspSource: string;
  nonce: string;
  /** Maps a path inside the extension (e.g. `dist/webview/lab.js`) to a URL the webview can load. */
  asset(path: string): string;
  /** Extra stylesheets linked first (the tests' theme variables). */
  extraStylesheets?: readonly string[];
  bodyClass?: string;
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `img-src ${cspSource} blob: data:`,
    `font-src ${cspSource}`,
  ].join('; ');
}

export function webviewDocument(options: WebviewDocumentOptions): string {
  const { app, asset, nonce } = options;
  const stylesheets = [...(options.extraStylesheets ?? []), asset('dist/webview/codicon.css'), asset('dist/webview/uPlot.min.css'), asset('media/lab.css')];
  return `<!DOCTYPE html>
<html lang="${escapeAttribute(options.language)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(options.cspSource, nonce)}">
<meta property="csp-nonce" content="${nonce}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${stylesheets.map((href) => `<link rel="stylesheet" href="${escapeAttribute(href)}">`).join('\n')}
<title>${escapeText(options.title)}</title>
</head>
<body data-app="${app}"${options.bodyClass ? ` class="${escapeAttribute(options.bodyClass)}"` : ''}>
<div id="app"></div>
<script type="module" nonce="${nonce}" src="${escapeAttribute(asset(`dist/webview/${app}.js`))}"></script>
</body>
</html>`;
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;');
}
