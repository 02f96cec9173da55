/* global window, document, MessageEvent, requestAnimationFrame, sessionStorage */
// Injected before the page's own scripts (page.addInitScript, which the content security policy
// does not govern): the `acquireVsCodeApi` a webview gets from VS Code, recording what the page
// posts, plus probes the tests read the page with. Plain JavaScript: it runs as is in Chromium.
(() => {
  const posted = [];
  const violations = [];
  // VS Code keeps a webview's state across hide/show and reloads; sessionStorage does here.
  const STATE_KEY = 'fake-vscode-state';
  let saved = sessionStorage.getItem(STATE_KEY) === null ? undefined : JSON.parse(sessionStorage.getItem(STATE_KEY));
  let acquired = 0;
  window.acquireVsCodeApi = () => {
    acquired += 1;
    if (acquired > 1) throw new Error('acquireVsCodeApi called twice');
    return {
      postMessage: (message) => posted.push(JSON.parse(JSON.stringify(message))),
      getState: () => saved,
      setState: (state) => {
        saved = JSON.parse(JSON.stringify(state));
        sessionStorage.setItem(STATE_KEY, JSON.stringify(state));
      },
    };
  };
  document.addEventListener('securitypolicyviolation', (event) => {
    violations.push({ directive: event.violatedDirective, blocked: event.blockedURI, source: event.sourceFile, line: event.lineNumber, column: event.columnNumber });
  });

  /** Pixels that differ from the canvas's first pixel or are not fully transparent (uPlot draws on transparent). */
  function ink(canvas) {
    const context = canvas.getContext('2d');
    if (!context || canvas.width === 0 || canvas.height === 0) return 0;
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      const visible = data[i + 3] > 0;
      const bright = data[i] + data[i + 1] + data[i + 2] > 0;
      if (visible && (bright || data[i + 3] < 255)) count += 1;
    }
    return count;
  }

  window.__probe = {
    posted: () => posted,
    violations: () => violations,
    savedState: () => saved,
    /** Delivers a host message the way VS Code does: a window message event. */
    send: (message) => window.dispatchEvent(new MessageEvent('message', { data: message })),
    /** Resolves after two animation frames: the page's throttled redraw has run. */
    frames: () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(true)))),
    chart: (selector) => {
      const figure = document.querySelector(selector);
      if (!figure) return undefined;
      const canvas = figure.querySelector('canvas');
      return {
        train: Number(figure.dataset.trainPoints),
        val: Number(figure.dataset.valPoints),
        batch: Number(figure.dataset.batchPoints),
        canvasInk: canvas ? ink(canvas) : 0,
        legend: Array.from(figure.querySelectorAll('.u-legend .u-label')).map((node) => node.textContent),
      };
    },
    /** Ink per canvas under `selector`, with each canvas's accessible label. */
    canvases: (selector) =>
      Array.from(document.querySelectorAll(selector)).map((canvas) => ({
        label: canvas.getAttribute('aria-label'),
        role: canvas.getAttribute('role'),
        width: canvas.width,
        height: canvas.height,
        ink: ink(canvas),
      })),
    /** The pixels of one canvas, to compare what two epochs show. */
    pixels: (selector, index) => {
      const canvas = document.querySelectorAll(selector)[index];
      if (!canvas) return [];
      return Array.from(canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data);
    },
    text: (selector) => Array.from(document.querySelectorAll(selector)).map((node) => node.textContent.trim()),
    attribute: (selector, name) => document.querySelector(selector)?.getAttribute(name) ?? null,
    /** What has the keyboard focus: tag and visible text (toolkit buttons are custom elements). */
    focused: () => {
      const active = document.activeElement;
      return active ? { tag: active.tagName.toLowerCase(), text: active.textContent.trim(), disabled: active.hasAttribute('disabled') } : null;
    },
    /** Layout boxes of the elements under `selector`. */
    boxes: (selector) =>
      Array.from(document.querySelectorAll(selector)).map((node) => {
        const r = node.getBoundingClientRect();
        return { w: r.width, h: r.height, x: r.left, y: r.top };
      }),
    /** Whether an element is rendered (not display:none / hidden). */
    visible: (selector) => {
      const node = document.querySelector(selector);
      return !!node && node.getClientRects().length > 0;
    },
  };
})();
