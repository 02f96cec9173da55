// A tiny element builder: the webviews create DOM nodes directly (no innerHTML), which keeps them
// within the strict content security policy (no inline styles) and safe from markup injection.

export interface ElementProps {
  className?: string;
  text?: string;
  id?: string;
  /** Attributes, including aria-* and role. */
  attrs?: Record<string, string>;
}

type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props?: ElementProps, children?: Child[]): HTMLElementTagNameMap[K];
/** A custom element such as `vscode-button`. */
export function el(tag: string, props?: ElementProps, children?: Child[]): HTMLElement;
export function el(tag: string, props: ElementProps = {}, children: Child[] = []): HTMLElement {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.id) node.id = props.id;
  if (props.text !== undefined) node.textContent = props.text;
  if (props.attrs) for (const [name, value] of Object.entries(props.attrs)) node.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child);
  }
  return node;
}

/** A codicon (the `codicon` font shipped as dist/webview/codicon.css). */
export function icon(name: string): HTMLSpanElement {
  return el('span', { className: `codicon codicon-${name}`, attrs: { 'aria-hidden': 'true' } });
}

/** Replaces all children of `parent`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false));
}

let nextId = 0;
/** A document-unique id for label/control pairs. */
export function uniqueId(prefix: string): string {
  nextId += 1;
  return `${prefix}-${nextId}`;
}
