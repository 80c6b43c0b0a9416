import type { JsonSchema } from '../types';

/**
 * A form's state while the user types, shaped like the case data but as the inputs hold it:
 * numbers as the typed text, empty inputs as '', rows the user added but left empty. `toData`
 * turns it into the case data the API takes; `toRaw` does the reverse for a saved case.
 */
export type Raw = string | boolean | Raw[] | RawObject | undefined;
export interface RawObject {
  [key: string]: Raw;
}

/** How a schema node is shown. */
export type Control =
  | 'text'
  | 'textarea'
  | 'number'
  | 'date'
  | 'time'
  | 'datetime'
  | 'email'
  | 'select'
  | 'country'
  | 'call'
  | 'checkbox'
  | 'checkboxes'
  | 'list'
  | 'records'
  | 'object';

/** A string longer than this gets a textarea. */
const TEXTAREA_FROM = 200;

/** A node with alternatives (`oneOf`: a date or a timestamp) as its richest alternative. */
export function resolve(schema: JsonSchema | undefined): JsonSchema {
  if (!schema) return {};
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (!alternatives?.length) return schema;
  const rank = (candidate: JsonSchema) => (candidate.format === 'date-time' ? 3 : candidate.format === 'date' ? 2 : candidate.type === 'string' ? 1 : 0);
  const best = [...alternatives].sort((a, b) => rank(b) - rank(a))[0];
  const { oneOf: _oneOf, anyOf: _anyOf, ...rest } = schema;
  return { ...rest, ...best };
}

export function isObjectSchema(schema: JsonSchema): boolean {
  return schema.type === 'object' || schema.properties !== undefined;
}

/** The control for a field: its type and format, and `callId` (a uuid) chosen from the JICA calls. */
export function controlOf(key: string, node: JsonSchema): Control {
  const schema = resolve(node);
  if (isObjectSchema(schema)) return 'object';
  if (schema.type === 'array') {
    const items = resolve(schema.items);
    if (items.enum) return 'checkboxes';
    return isObjectSchema(items) ? 'records' : 'list';
  }
  if (schema.type === 'boolean') return 'checkbox';
  if (schema.type === 'integer' || schema.type === 'number') return 'number';
  if (schema.enum) return 'select';
  if (key === 'callId' && schema.format === 'uuid') return 'call';
  switch (schema.format) {
    case 'date':
      return 'date';
    case 'time':
      return 'time';
    case 'date-time':
      return 'datetime';
    case 'email':
      return 'email';
    case 'country':
      return 'country';
    default:
      return (schema.maxLength ?? 0) > TEXTAREA_FROM ? 'textarea' : 'text';
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

// Timestamps are typed and shown in Japan time (the UI's convention: every time is JST).
const JST_OFFSET_MS = 9 * 60 * 60 * 1000;
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;

function toLocalDateTime(value: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return `${value}T00:00`;
  const instant = Date.parse(value);
  if (Number.isNaN(instant)) return value;
  return new Date(instant + JST_OFFSET_MS).toISOString().slice(0, 16);
}

/** The inputs' state for saved data. */
export function toRaw(node: JsonSchema | undefined, value: unknown, key = ''): Raw {
  const schema = resolve(node);
  const control = controlOf(key, schema);
  if (value === null || value === undefined) return undefined;
  switch (control) {
    case 'object': {
      if (!isRecord(value)) return undefined;
      const raw: RawObject = {};
      for (const [name, child] of Object.entries(schema.properties ?? {})) {
        const item = toRaw(child, value[name], name);
        if (item !== undefined) raw[name] = item;
      }
      return raw;
    }
    case 'checkboxes':
      return Array.isArray(value) ? value.map(String) : undefined;
    case 'list':
    case 'records':
      return Array.isArray(value) ? value.map((item) => toRaw(schema.items, item)) : undefined;
    case 'checkbox':
      return typeof value === 'boolean' ? value : undefined;
    case 'datetime':
      return typeof value === 'string' ? toLocalDateTime(value) : undefined;
    default:
      return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  }
}

/**
 * Where the data's array items came from in the form: rows left empty are not sent, so the data's
 * `partners.1` may be the form's `partners.2`. Keyed by the array's path in the data.
 */
export type IndexMaps = Map<string, number[]>;

const join = (path: string, segment: string | number) => (path ? `${path}.${segment}` : String(segment));

function isBlank(value: Raw): boolean {
  return value === undefined || (typeof value === 'string' && value.trim() === '');
}

/**
 * The case data for the inputs' state: empty inputs, rows and groups left out (never sent as ''),
 * numbers as numbers, timestamps with Japan's offset. A typed text that is no number stays text,
 * so the server names the field.
 */
export function toData(node: JsonSchema | undefined, raw: Raw, maps: IndexMaps = new Map(), path = '', key = ''): unknown {
  const schema = resolve(node);
  const control = controlOf(key, schema);
  switch (control) {
    case 'object': {
      if (!isRecord(raw)) return undefined;
      const data: Record<string, unknown> = {};
      for (const [name, child] of Object.entries(schema.properties ?? {})) {
        const value = toData(child, (raw as RawObject)[name], maps, join(path, name), name);
        if (value !== undefined) data[name] = value;
      }
      return Object.keys(data).length ? data : undefined;
    }
    case 'checkboxes': {
      if (!Array.isArray(raw) || !raw.length) return undefined;
      // In the order of the options, whatever order they were ticked in.
      const options = (resolve(schema.items).enum ?? []).map(String);
      const chosen = raw.filter((item): item is string => typeof item === 'string');
      return [...options.filter((option) => chosen.includes(option)), ...chosen.filter((item) => !options.includes(item))];
    }
    case 'list':
    case 'records': {
      if (!Array.isArray(raw)) return undefined;
      const items: unknown[] = [];
      const from: number[] = [];
      raw.forEach((item, index) => {
        const value = toData(schema.items, item, maps, join(path, items.length));
        if (value === undefined) return;
        items.push(value);
        from.push(index);
      });
      if (!items.length) return undefined;
      if (from.some((index, position) => index !== position)) maps.set(path, from);
      return items;
    }
    case 'checkbox':
      return typeof raw === 'boolean' ? raw : undefined;
    case 'number': {
      if (typeof raw !== 'string' || !raw.trim()) return undefined;
      const number = Number(raw.trim());
      return Number.isFinite(number) ? number : raw;
    }
    case 'datetime':
      if (typeof raw !== 'string' || !raw.trim()) return undefined;
      return LOCAL_DATE_TIME.test(raw) ? `${raw}:00+09:00` : raw;
    default:
      return typeof raw === 'string' && !isBlank(raw) ? raw : undefined;
  }
}

/** A data path of a violation (`partners.1.name`) as the form's path (`partners.2.name`). */
export function toRawPath(path: string, maps: IndexMaps): string {
  const segments = path.split('.');
  let dataPath = '';
  const rawSegments: string[] = [];
  for (const segment of segments) {
    const from = /^\d+$/.test(segment) ? maps.get(dataPath) : undefined;
    rawSegments.push(from && from[Number(segment)] !== undefined ? String(from[Number(segment)]) : segment);
    dataPath = join(dataPath, segment);
  }
  return rawSegments.join('.');
}

/** The value at a path of the form's state. */
export function rawAt(raw: Raw, path: string): Raw {
  let current: Raw = raw;
  for (const segment of path ? path.split('.') : []) {
    if (Array.isArray(current)) current = current[Number(segment)];
    else if (isRecord(current)) current = (current as RawObject)[segment];
    else return undefined;
  }
  return current;
}

/** A copy of the form's state with the value at `path` replaced (objects and rows created on the way). */
export function setRawAt(raw: Raw, path: string, value: Raw): Raw {
  if (!path) return value;
  const [head, ...rest] = path.split('.');
  const tail = rest.join('.');
  if (/^\d+$/.test(head) && Array.isArray(raw)) {
    const copy = [...raw];
    copy[Number(head)] = setRawAt(copy[Number(head)], tail, value);
    return copy;
  }
  const object: RawObject = isRecord(raw) ? { ...(raw as RawObject) } : {};
  object[head] = setRawAt(object[head], tail, value);
  return object;
}

/**
 * The deepest path of the form that has its own control for a violation's field: `purposes.2`
 * is shown on the `purposes` checkboxes, `partners.5.name` on `partners` when there is no sixth
 * row, an unknown field nowhere ('').
 */
export function controlPath(node: JsonSchema, raw: Raw, path: string): string {
  let schema = resolve(node);
  let current: Raw = raw;
  let found = '';
  for (const segment of path ? path.split('.') : []) {
    const control = controlOf(segment, schema);
    if (control === 'object' && schema.properties && Object.hasOwn(schema.properties, segment)) {
      schema = resolve(schema.properties[segment]);
      current = isRecord(current) ? (current as RawObject)[segment] : undefined;
    } else if ((control === 'list' || control === 'records') && /^\d+$/.test(segment) && Array.isArray(current) && Number(segment) < current.length) {
      schema = resolve(schema.items);
      current = current[Number(segment)];
    } else {
      break;
    }
    found = join(found, segment);
  }
  return found;
}

/** A problem the form finds itself, named by its code (`required`, `maxLength`, …) and path. */
export interface ClientViolation {
  field: string;
  code: 'required' | 'minLength' | 'maxLength' | 'pattern' | 'email' | 'date' | 'time' | 'number' | 'integer' | 'minimum' | 'maximum' | 'minItems' | 'maxItems' | 'unique';
  params?: Record<string, string | number>;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

function matches(pattern: string, text: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(text);
  } catch {
    return true; // A pattern this browser cannot read is the server's to check.
  }
}

/**
 * What the schema itself says about the form's state (required, lengths, patterns, ranges, item
 * counts): hints while the user types. The server's answer is the rule; these paths are the form's.
 */
export function clientViolations(node: JsonSchema | undefined, raw: Raw, path = '', key = ''): ClientViolation[] {
  const schema = resolve(node);
  const control = controlOf(key, schema);
  const found: ClientViolation[] = [];
  const add = (code: ClientViolation['code'], params?: ClientViolation['params'], at = path) => found.push({ field: at, code, ...(params ? { params } : {}) });
  switch (control) {
    case 'object': {
      const record = isRecord(raw) ? (raw as RawObject) : {};
      for (const [name, child] of Object.entries(schema.properties ?? {})) {
        const at = join(path, name);
        if (toData(child, record[name], new Map(), at, name) === undefined) {
          if (schema.required?.includes(name)) add('required', undefined, at);
        } else {
          found.push(...clientViolations(child, record[name], at, name));
        }
      }
      break;
    }
    case 'checkboxes':
    case 'list':
    case 'records': {
      const rows = Array.isArray(raw) ? raw : [];
      const kept = rows.filter((row) => toData(schema.items, row) !== undefined);
      if (schema.minItems !== undefined && kept.length < schema.minItems) add('minItems', { min: schema.minItems });
      if (schema.maxItems !== undefined && kept.length > schema.maxItems) add('maxItems', { max: schema.maxItems });
      if (schema.uniqueItems && new Set(kept.map((row) => JSON.stringify(toData(schema.items, row)))).size < kept.length) add('unique');
      if (control !== 'checkboxes') {
        rows.forEach((row, index) => {
          if (toData(schema.items, row) !== undefined) found.push(...clientViolations(schema.items, row, join(path, index)));
        });
      }
      break;
    }
    case 'number': {
      const value = toData(schema, raw);
      if (value === undefined) break;
      if (typeof value !== 'number') add('number');
      else if (schema.type === 'integer' && !Number.isInteger(value)) add('integer');
      else if (schema.minimum !== undefined && value < schema.minimum) add('minimum', { min: schema.minimum });
      else if (schema.maximum !== undefined && value > schema.maximum) add('maximum', { max: schema.maximum });
      break;
    }
    case 'checkbox':
      break;
    default: {
      if (typeof raw !== 'string' || isBlank(raw)) break;
      const length = [...raw].length;
      if (schema.minLength !== undefined && length < schema.minLength) add('minLength', { min: schema.minLength });
      else if (schema.maxLength !== undefined && length > schema.maxLength) add('maxLength', { max: schema.maxLength });
      else if (control === 'email' && !EMAIL.test(raw)) add('email');
      else if (control === 'date' && (!DATE.test(raw) || Number.isNaN(Date.parse(raw)))) add('date');
      else if (control === 'time' && !TIME.test(raw)) add('time');
      else if (schema.pattern && control !== 'country' && !matches(schema.pattern, raw)) add('pattern');
    }
  }
  return found;
}

/** An id for the control of a path, unique within the form. */
export function controlId(prefix: string, path: string): string {
  return `${prefix}-${path.replace(/[^A-Za-z0-9_-]/g, '-') || 'form'}`;
}

/** The top-level field a path belongs to (`partners.0.name` → `partners`). */
export function topField(path: string): string {
  return path.split('.')[0];
}

/** Whether two data values are the same (key order aside, as the API stores JSON). */
export function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isRecord(value))
    return `{${Object.keys(value)
      .filter((name) => value[name] !== undefined && value[name] !== null)
      .sort()
      .map((name) => `${JSON.stringify(name)}:${canonical(value[name])}`)
      .join(',')}}`;
  return value === null || value === undefined ? 'null' : JSON.stringify(value);
}
