import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodeDropdown,
  vsCodeOption,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';
import { el, icon, uniqueId } from './dom';

/*
 * The project's own small controls. They are the ONLY place that knows about
 * @vscode/webview-ui-toolkit (deprecated upstream): a successor such as @vscode-elements/elements
 * replaces it here, and no view changes. Only the toolkit components used are registered.
 */

let registered = false;

export function registerComponents(): void {
  if (registered) return;
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeCheckbox(), vsCodeDropdown(), vsCodeOption(), vsCodeTextField());
  registered = true;
}

/** Toolkit elements carry their value and disabled state as properties. */
type ValueElement = HTMLElement & { value: string; disabled: boolean };
type CheckElement = HTMLElement & { checked: boolean; disabled: boolean };

export interface Button {
  readonly element: HTMLElement;
  setDisabled(disabled: boolean): void;
  setLabel(label: string): void;
}

export interface ButtonOptions {
  label: string;
  /** A codicon name, e.g. `play`. */
  icon?: string;
  appearance?: 'primary' | 'secondary';
  /** Extra accessible description (tooltip). */
  title?: string;
  onClick(): void;
}

export function button(options: ButtonOptions): Button {
  // A bare text node: the toolkit sizes every slotted <span> as a 16px icon.
  const text = document.createTextNode(options.label);
  const element = el('vscode-button', { attrs: { appearance: options.appearance ?? 'primary' } }, [
    options.icon ? withSlot(icon(options.icon), 'start') : null,
    text,
  ]) as unknown as ValueElement;
  if (options.title) element.title = options.title;
  element.addEventListener('click', () => {
    if (!element.disabled) options.onClick();
  });
  return {
    element,
    setDisabled(disabled) {
      element.disabled = disabled;
      element.toggleAttribute('disabled', disabled);
    },
    setLabel(label) {
      text.textContent = label;
    },
  };
}

function withSlot<T extends HTMLElement>(node: T, slot: string): T {
  node.setAttribute('slot', slot);
  return node;
}

export interface Field {
  /** The label and control, to place in a form grid. */
  readonly element: HTMLElement;
  readonly control: HTMLElement;
  value: string;
  setDisabled(disabled: boolean): void;
}

export interface TextFieldOptions {
  label: string;
  value: string;
  placeholder?: string;
  /** Shown below the field and read by screen readers as its description. */
  hint?: string;
  onChange(value: string): void;
}

export function textField(options: TextFieldOptions): Field {
  const control = el('vscode-text-field') as unknown as ValueElement;
  control.setAttribute('aria-label', options.label);
  if (options.placeholder) control.setAttribute('placeholder', options.placeholder);
  control.value = options.value;
  control.addEventListener('input', () => options.onChange(control.value));
  control.addEventListener('change', () => options.onChange(control.value));
  return labelled(options.label, control, options.hint);
}

export interface DropdownOptions {
  label: string;
  value: string;
  options: ReadonlyArray<{ value: string; label: string }>;
  onChange(value: string): void;
}

export function dropdown(options: DropdownOptions): Field {
  const control = el('vscode-dropdown') as unknown as ValueElement;
  control.setAttribute('aria-label', options.label);
  for (const option of options.options) {
    const node = el('vscode-option', { text: option.label, attrs: { value: option.value } });
    if (option.value === options.value) node.setAttribute('selected', '');
    control.append(node);
  }
  control.addEventListener('change', () => options.onChange(control.value));
  return labelled(options.label, control);
}

export interface CheckboxOptions {
  label: string;
  checked: boolean;
  onChange(checked: boolean): void;
}

export interface Checkbox {
  readonly element: HTMLElement;
  checked: boolean;
}

export function checkbox(options: CheckboxOptions): Checkbox {
  const element = el('vscode-checkbox', { text: options.label }) as unknown as CheckElement;
  element.checked = options.checked;
  if (options.checked) element.setAttribute('checked', '');
  element.addEventListener('change', () => options.onChange(element.checked));
  return {
    element,
    get checked() {
      return element.checked;
    },
    set checked(value: boolean) {
      element.checked = value;
    },
  };
}

export interface Slider {
  readonly element: HTMLElement;
  readonly input: HTMLInputElement;
  /** Sets range and value without firing `onChange`. */
  set(value: number, min: number, max: number): void;
}

export interface SliderOptions {
  label: string;
  min: number;
  max: number;
  value: number;
  /** Text read by screen readers for a value (aria-valuetext). */
  valueText(value: number): string;
  onChange(value: number): void;
}

/** A range input (the toolkit has no slider); styled in lab.css with the theme's colours. */
export function slider(options: SliderOptions): Slider {
  const id = uniqueId('slider');
  const input = el('input', { id, className: 'ae-slider', attrs: { type: 'range', step: '1' } });
  const output = el('output', { className: 'ae-slider-value', attrs: { for: id, 'aria-hidden': 'true' } });
  const element = el('div', { className: 'ae-slider-field' }, [el('label', { text: options.label, attrs: { for: id } }), input, output]);
  const show = (value: number) => {
    const text = options.valueText(value);
    input.setAttribute('aria-valuetext', text);
    output.textContent = text;
  };
  const set = (value: number, min: number, max: number) => {
    input.min = String(min);
    input.max = String(max);
    input.value = String(value);
    input.disabled = max <= min;
    show(value);
  };
  set(options.value, options.min, options.max);
  input.addEventListener('input', () => {
    const value = Number(input.value);
    show(value);
    options.onChange(value);
  });
  return { element, input, set };
}

function labelled(label: string, control: ValueElement, hint?: string): Field {
  const id = uniqueId('field');
  control.id = id;
  const hintNode = hint ? el('span', { className: 'ae-field-hint', id: `${id}-hint`, text: hint }) : null;
  if (hintNode) control.setAttribute('aria-describedby', hintNode.id);
  const element = el('div', { className: 'ae-field' }, [el('label', { text: label, attrs: { for: id } }), control, hintNode]);
  return {
    element,
    control,
    get value() {
      return control.value;
    },
    set value(value: string) {
      control.value = value;
    },
    setDisabled(disabled) {
      control.disabled = disabled;
      control.toggleAttribute('disabled', disabled);
    },
  };
}
