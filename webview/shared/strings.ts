import { LAB_STRINGS, type LabStringKey } from '../../src/protocol/lab-strings';

// The localized strings arrive with the state; until then (and for a missing key) English is shown.
let current: Record<string, string> = {};

export function setStrings(strings: Record<string, string>): void {
  current = strings;
}

/** The localized text of `key`, with `{0}`, `{1}` … replaced by `args`. */
export function t(key: LabStringKey, ...args: Array<string | number>): string {
  const text = current[key] ?? LAB_STRINGS[key];
  if (args.length === 0) return text;
  return text.replace(/\{(\d+)\}/g, (match, index: string) => {
    const value = args[Number(index)];
    return value === undefined ? match : String(value);
  });
}
