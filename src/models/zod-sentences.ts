import { z } from 'zod';

/**
 * Turns a zod issue into plain sentences naming the option, the rule and the value given,
 * e.g. "batchSize must be an integer ≥ 1 (got -3)"; one sentence per unknown key.
 */
export function zodIssueToSentences(issue: z.ZodIssue, input: unknown, schema: z.ZodTypeAny): string[] {
  if (issue.code === z.ZodIssueCode.unrecognized_keys) return issue.keys.map((key) => unknownKeySentence(key, issue.path, schema));
  return [zodIssueToSentence(issue, input, schema)];
}

function zodIssueToSentence(issue: z.ZodIssue, input: unknown, schema: z.ZodTypeAny): string {
  const name = formatPath(issue.path);
  const got = ` (got ${show(valueAt(input, issue.path))})`;
  const subject = name === '' ? 'the model config' : name;
  switch (issue.code) {
    case z.ZodIssueCode.invalid_type:
      if (issue.received === 'undefined') return `${subject} is required`;
      if (issue.expected === 'integer') return `${subject} must be a whole number${got}`;
      if (name === '') return `the model config must be a JSON object${got}`;
      return `${subject} must be ${article(issue.expected)}${got}`;
    case z.ZodIssueCode.invalid_enum_value:
      return `${subject} must be one of ${issue.options.map((o) => JSON.stringify(o)).join(', ')}${got}`;
    case z.ZodIssueCode.too_small:
    case z.ZodIssueCode.too_big: {
      const small = issue.code === z.ZodIssueCode.too_small;
      const bound = Number(small ? (issue as z.ZodTooSmallIssue).minimum : (issue as z.ZodTooBigIssue).maximum);
      const inclusive = issue.inclusive;
      if (issue.type === 'array') {
        return `${subject} must have ${small ? 'at least' : 'at most'} ${bound} ${bound === 1 ? 'entry' : 'entries'}${got}`;
      }
      if (issue.type === 'string') return `${subject} must be ${small ? 'at least' : 'at most'} ${bound} characters long`;
      const kind = isIntegerField(schema, issue.path) ? 'an integer' : 'a number';
      const relation = small ? (inclusive ? '≥' : '>') : inclusive ? '≤' : '<';
      return `${subject} must be ${kind} ${relation} ${bound}${got}`;
    }
    default:
      return name === '' ? issue.message : `${name}: ${issue.message}`;
  }
}

function formatPath(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`;
  return out;
}

function valueAt(input: unknown, path: ReadonlyArray<string | number>): unknown {
  let value = input;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[part];
  }
  return value;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return value.length > 8 ? `a list of ${value.length}` : JSON.stringify(value);
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

function article(type: string): string {
  const names: Record<string, string> = { object: 'an object', array: 'a list', boolean: 'true or false', number: 'a number', string: 'a string' };
  return names[type] ?? `a ${type}`;
}

/** Follows a path through objects, arrays, optionals and defaults to the schema it ends at. */
function schemaAt(schema: z.ZodTypeAny, path: ReadonlyArray<string | number>): z.ZodTypeAny | undefined {
  let current: z.ZodTypeAny | undefined = unwrap(schema);
  for (const part of path) {
    if (current instanceof z.ZodObject) current = (current.shape as Record<string, z.ZodTypeAny>)[String(part)];
    else if (current instanceof z.ZodArray) current = current.element as z.ZodTypeAny;
    else return undefined;
    current = current && unwrap(current);
  }
  return current;
}

function unwrap(schema: z.ZodTypeAny): z.ZodTypeAny {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodDefault || current instanceof z.ZodNullable) {
    current = current instanceof z.ZodDefault ? current._def.innerType : current.unwrap();
  }
  return current;
}

function isIntegerField(schema: z.ZodTypeAny, path: ReadonlyArray<string | number>): boolean {
  const field = schemaAt(schema, path);
  return field instanceof z.ZodNumber && field.isInt;
}

function unknownKeySentence(key: string, path: ReadonlyArray<string | number>, schema: z.ZodTypeAny): string {
  const where = path.length === 0 ? '' : ` in ${formatPath(path)}`;
  const owner = schemaAt(schema, path);
  const known = owner instanceof z.ZodObject ? Object.keys(owner.shape as object) : [];
  const close = known
    .map((candidate) => ({ candidate, distance: editDistance(key.toLowerCase(), candidate.toLowerCase()) }))
    .filter(({ distance, candidate }) => distance <= Math.max(2, Math.floor(candidate.length / 3)))
    .sort((a, b) => a.distance - b.distance)[0];
  const hint = close ? `; did you mean "${close.candidate}"?` : known.length > 0 ? `; known options: ${known.join(', ')}` : '';
  return `unknown option "${key}"${where}${hint}`;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}
