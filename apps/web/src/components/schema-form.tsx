import { createContext, type ComponentChildren } from 'preact';
import { useContext, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { fieldLabel, orderFields, valueLabel } from '../field-labels';
import { countryName, countryOptions } from '../form/countries';
import { controlId, controlOf, rawAt, resolve, type Raw } from '../form/schema';
import { useResource } from '../hooks';
import type { I18n } from '../locale';
import { useI18n } from '../locale';
import type { JicaCall, JsonSchema } from '../types';
import { DataValue } from './case-data';
import { describedByOf, FieldDescription, RequiredMark } from './field-parts';

/**
 * A form generated from a program's JSON Schema: one control per field by its type and format,
 * nested objects and rows of items as fieldsets, labels from field-labels.ts. The form's state
 * (`Raw`, see form/schema.ts) and every message live in the caller; this only shows them.
 */
export interface SchemaFormContext {
  /** Ids of the controls start with it. */
  prefix: string;
  program: string;
  raw: Raw;
  /** Messages by the path of the control they belong to. */
  errors: ReadonlyMap<string, readonly string[]>;
  /** The top-level fields the user may change; others are shown as `saved` has them. */
  editable: '*' | readonly string[];
  saved: Record<string, unknown>;
  /** JICA's scheme, for the calls a `callId` is chosen from. */
  callScheme?: string;
  onChange(path: string, value: Raw): void;
  /** Said by the form's status region (after a row is removed, say). */
  announce(text: string): void;
}

const Context = createContext<SchemaFormContext | null>(null);

function useForm(): SchemaFormContext {
  const value = useContext(Context);
  if (!value) throw new Error('schema form field outside <SchemaFields>');
  return value;
}

const join = (path: string, segment: string | number) => (path ? `${path}.${segment}` : String(segment));

/** The last key of a path that names a field (`itinerary.0.place` → `place`). */
function keyOf(path: string): string {
  return (
    path
      .split('.')
      .filter((segment) => !/^\d+$/.test(segment))
      .at(-1) ?? path
  );
}

export function optionLabel(field: string, value: string, i18n: I18n): string {
  const label = valueLabel(field, value);
  return label ? i18n.pick(label) : value;
}

/** The hint under a label: lengths, ranges, units and counts the schema gives. */
function hintOf(name: string, schema: JsonSchema, i18n: I18n): string | undefined {
  const { t } = i18n;
  const control = controlOf(name, schema);
  const parts: string[] = [];
  if (control === 'number') {
    if (/Yen$/.test(name)) parts.push(t('form.hint.yen'));
    if (schema.minimum !== undefined && schema.maximum !== undefined) parts.push(t('form.hint.range', { min: i18n.number(schema.minimum), max: i18n.number(schema.maximum) }));
    else if (schema.minimum !== undefined) parts.push(t('form.hint.min', { min: i18n.number(schema.minimum) }));
  } else if (control === 'text' || control === 'textarea') {
    if (schema.maxLength !== undefined) parts.push(t('form.hint.maxLength', { max: i18n.number(schema.maxLength) }));
  } else if (control === 'time') {
    parts.push(t('form.hint.time'));
  } else if (control === 'datetime') {
    parts.push(t('form.hint.datetime'));
  } else if (control === 'email') {
    parts.push(t('form.hint.email'));
  } else if (control === 'checkboxes' || control === 'list' || control === 'records') {
    if (schema.minItems) parts.push(t('form.hint.items', { min: schema.minItems }));
    if (schema.maxItems !== undefined && control !== 'checkboxes') parts.push(t('form.hint.maxItems', { max: schema.maxItems }));
  }
  return parts.length ? parts.join(t('list.separator')) : undefined;
}

/** The hint and error lines of a control, and the ids its aria-describedby names. */
function useDescription(path: string, hint: string | undefined) {
  const form = useForm();
  const id = controlId(form.prefix, path);
  const messages = form.errors.get(path) ?? [];
  const describedBy = describedByOf(id, messages.length > 0, hint);
  const description = <FieldDescription id={id} hint={hint} errors={messages} />;
  return { id, describedBy, invalid: messages.length > 0, description };
}

interface FieldProps {
  path: string;
  schema: JsonSchema;
  required: boolean;
  /** The label's text when it is not the field's own title (a row of a list: "訪問先 2"). */
  label?: string;
  /** A button shown beside the control (a list row's remove). */
  after?: ComponentChildren;
}

/** One field, whatever its shape. */
function Field(props: FieldProps) {
  const schema = resolve(props.schema);
  switch (controlOf(keyOf(props.path), schema)) {
    case 'object':
      return <ObjectFieldset {...props} schema={schema} />;
    case 'records':
    case 'list':
      return <RowsFieldset {...props} schema={schema} />;
    case 'checkboxes':
      return <CheckboxGroup {...props} schema={schema} />;
    case 'checkbox':
      return <SingleCheckbox {...props} schema={schema} />;
    default:
      return <InputField {...props} schema={schema} />;
  }
}

function InputField({ path, schema, required, label, after }: FieldProps) {
  const i18n = useI18n();
  const form = useForm();
  const name = keyOf(path);
  const control = controlOf(name, schema);
  const [badNumber, setBadNumber] = useState(false);
  const { id, describedBy, invalid, description } = useDescription(path, hintOf(name, schema, i18n));
  const raw = rawAt(form.raw, path);
  const value = typeof raw === 'string' ? raw : '';
  const common = {
    id,
    'data-path': path,
    'aria-invalid': invalid || badNumber ? true : undefined,
    'aria-describedby': [badNumber ? `${id}-number` : '', describedBy ?? ''].filter(Boolean).join(' ') || undefined,
  } as const;
  const change = (next: string) => form.onChange(path, next);

  let input: ComponentChildren;
  switch (control) {
    case 'textarea':
      input = <textarea {...common} rows={(schema.maxLength ?? 0) > 2000 ? 6 : 3} value={value} onInput={(event) => change(event.currentTarget.value)} />;
      break;
    case 'number':
      input = (
        <input
          {...common}
          class="input-short"
          type="number"
          inputMode={schema.type === 'integer' ? 'numeric' : 'decimal'}
          step={schema.type === 'integer' ? 1 : 'any'}
          min={schema.minimum}
          max={schema.maximum}
          value={value}
          onInput={(event) => {
            // Text that is no number reads as '': say so rather than silently dropping it.
            setBadNumber(event.currentTarget.validity.badInput);
            change(event.currentTarget.value);
          }}
        />
      );
      break;
    case 'date':
    case 'time':
    case 'datetime':
      input = (
        <input
          {...common}
          class="input-short"
          type={control === 'datetime' ? 'datetime-local' : control}
          value={value}
          onInput={(event) => change(event.currentTarget.value)}
          onChange={(event) => change(event.currentTarget.value)}
        />
      );
      break;
    case 'email':
      input = <input {...common} type="email" inputMode="email" autoComplete="off" value={value} onInput={(event) => change(event.currentTarget.value)} />;
      break;
    case 'select':
      input = (
        <select {...common} value={value} onChange={(event) => change(event.currentTarget.value)}>
          <option value="">{i18n.t('form.choose')}</option>
          {(schema.enum ?? []).map(String).map((option) => (
            <option key={option} value={option}>
              {optionLabel(name, option, i18n)}
            </option>
          ))}
        </select>
      );
      break;
    case 'country':
      input = <CountrySelect common={common} value={value} onChange={change} />;
      break;
    case 'call':
      input = <CallSelect common={common} value={value} onChange={change} />;
      break;
    default:
      input = <input {...common} type="text" value={value} onInput={(event) => change(event.currentTarget.value)} />;
  }

  return (
    <div class={`field${invalid ? ' field-invalid' : ''}`}>
      <label for={id}>
        {label ?? i18n.pick(fieldLabel(name))}
        {required && <RequiredMark />}
      </label>
      {description}
      {badNumber && (
        <p class="field-error" id={`${id}-number`}>
          {i18n.t('check.number')}
        </p>
      )}
      {after ? (
        <div class="input-with-button">
          {input}
          {after}
        </div>
      ) : (
        input
      )}
    </div>
  );
}

type CommonProps = Record<string, unknown>;

/** Every country by its name in the UI's language (codes the server accepts), the code in brackets. */
function CountrySelect({ common, value, onChange }: { common: CommonProps; value: string; onChange(value: string): void }) {
  const i18n = useI18n();
  const options = countryOptions(i18n.locale);
  const known = !value || options.some((option) => option.code === value);
  return (
    <select {...common} class="input-medium" value={value} onChange={(event) => onChange(event.currentTarget.value)}>
      <option value="">{i18n.t('form.choose')}</option>
      {!known && <option value={value}>{`${countryName(value, i18n.locale)} (${value})`}</option>}
      {options.map((option) => (
        <option key={option.code} value={option.code}>
          {`${option.name} (${option.code})`}
        </option>
      ))}
    </select>
  );
}

/** The JICA calls open now for the form's scheme; a call chosen before that has closed stays listed, marked. */
function CallSelect({ common, value, onChange }: { common: CommonProps; value: string; onChange(value: string): void }) {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const form = useForm();
  const scheme = form.callScheme;
  const initial = useRef(value);
  const calls = useResource(async (signal) => {
    if (!scheme) return [] as JicaCall[];
    const open = await api.calls({ scheme, open: true }, signal);
    const chosen = initial.current;
    if (!chosen || open.some((call) => call.id === chosen)) return open;
    const current = (await api.calls({ scheme }, signal)).find((call) => call.id === chosen);
    return current ? [...open, { ...current, open: false }] : open;
  }, [scheme, locale]);
  const list = calls.data ?? [];
  const id = String(common.id);
  const describedBy = [String(common['aria-describedby'] ?? ''), calls.data && !list.length ? `${id}-calls` : '', calls.error ? `${id}-calls` : ''].filter(Boolean).join(' ');
  return (
    <>
      <select {...common} aria-describedby={describedBy || undefined} value={value} onChange={(event) => onChange(event.currentTarget.value)}>
        <option value="">{t('form.choose')}</option>
        {value && !list.some((call) => call.id === value) && <option value={value}>{value}</option>}
        {list.map((call) => (
          <option key={call.id} value={call.id}>
            {t('form.call.option', { fiscalYear: call.fiscalYearLabel ?? String(call.fiscalYear), round: call.round, closesAt: i18n.dateTime(call.closesAt) })}
            {call.open === false ? t('form.call.closed') : ''}
          </option>
        ))}
      </select>
      {(calls.error || (calls.data && !list.length)) && (
        <p class="hint" id={`${id}-calls`}>
          {calls.error ? t('form.call.error') : t('form.call.none')}
        </p>
      )}
    </>
  );
}

function SingleCheckbox({ path, required, label }: FieldProps) {
  const i18n = useI18n();
  const form = useForm();
  const { id, describedBy, invalid, description } = useDescription(path, undefined);
  const value = rawAt(form.raw, path) === true;
  return (
    <div class="field">
      {description}
      <label class="choice" for={id}>
        <input id={id} data-path={path} type="checkbox" checked={value} aria-invalid={invalid || undefined} aria-describedby={describedBy} onChange={(event) => form.onChange(path, event.currentTarget.checked)} />
        <span>
          {label ?? i18n.pick(fieldLabel(keyOf(path)))}
          {required && <RequiredMark />}
        </span>
      </label>
    </div>
  );
}

/** An array of enumerated values: one checkbox per value. */
function CheckboxGroup({ path, schema, required }: FieldProps) {
  const i18n = useI18n();
  const form = useForm();
  const name = keyOf(path);
  const { id, describedBy, invalid, description } = useDescription(path, hintOf(name, schema, i18n));
  const raw = rawAt(form.raw, path);
  const chosen = Array.isArray(raw) ? raw.filter((item): item is string => typeof item === 'string') : [];
  const options = (resolve(schema.items).enum ?? []).map(String);
  const toggle = (option: string, on: boolean) => form.onChange(path, on ? [...chosen.filter((item) => item !== option), option] : chosen.filter((item) => item !== option));
  return (
    <fieldset class={`field choices${invalid ? ' field-invalid' : ''}`} id={id} aria-describedby={describedBy}>
      <legend>
        {i18n.pick(fieldLabel(name))}
        {required && <RequiredMark />}
      </legend>
      {description}
      <div class="choice-list">
        {options.map((option, index) => (
          <label class="choice" key={option} for={`${id}-${index}`}>
            <input id={`${id}-${index}`} data-path={path} type="checkbox" checked={chosen.includes(option)} onChange={(event) => toggle(option, event.currentTarget.checked)} />
            <span>{optionLabel(name, option, i18n)}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

function ObjectFieldset({ path, schema, required, label, after }: FieldProps) {
  const i18n = useI18n();
  const { id, describedBy, description } = useDescription(path, undefined);
  const properties = Object.entries(schema.properties ?? {});
  return (
    <fieldset class="group" id={id} aria-describedby={describedBy}>
      <legend>
        {label ?? i18n.pick(fieldLabel(keyOf(path)))}
        {required && <RequiredMark />}
      </legend>
      {description}
      {properties.map(([name, child]) => (
        <Field key={name} path={join(path, name)} schema={child} required={schema.required?.includes(name) ?? false} />
      ))}
      {after && <div class="row-actions">{after}</div>}
    </fieldset>
  );
}

/** Rows the user adds and removes: text inputs for an array of strings, fieldsets for an array of objects. */
function RowsFieldset({ path, schema, required }: FieldProps) {
  const i18n = useI18n();
  const { t } = i18n;
  const form = useForm();
  const name = keyOf(path);
  const title = i18n.pick(fieldLabel(name));
  const { id, describedBy, description } = useDescription(path, hintOf(name, schema, i18n));
  const raw = rawAt(form.raw, path);
  const rows = Array.isArray(raw) ? raw : [];
  const items = resolve(schema.items);
  const full = schema.maxItems !== undefined && rows.length >= schema.maxItems;
  const rowLabel = (index: number) => t('form.item', { field: title, n: index + 1 });

  function focusRow(index: number) {
    requestAnimationFrame(() => {
      const row = document.getElementById(controlId(form.prefix, join(path, index)));
      (row?.matches('input, select, textarea') ? row : row?.querySelector<HTMLElement>('input, select, textarea'))?.focus();
    });
  }

  function add() {
    form.onChange(path, [...rows, controlOf('', items) === 'object' ? {} : '']);
    focusRow(rows.length);
  }

  function remove(index: number) {
    const label = rowLabel(index);
    form.onChange(
      path,
      rows.filter((_, position) => position !== index),
    );
    form.announce(t('form.removed', { item: label }));
    // Focus goes to the row that took its place, or to the add button.
    requestAnimationFrame(() => {
      if (index < rows.length - 1) focusRow(index);
      else if (index > 0) focusRow(index - 1);
      else document.getElementById(`${id}-add`)?.focus();
    });
  }

  const removeButton = (index: number) => (
    <button type="button" class="button button-small button-quiet" aria-label={t('form.removeItem', { item: rowLabel(index) })} onClick={() => remove(index)}>
      {t('form.remove')}
    </button>
  );

  return (
    <fieldset class="group" id={id} aria-describedby={describedBy}>
      <legend>
        {title}
        {required && <RequiredMark />}
      </legend>
      {description}
      {rows.length === 0 && <p class="muted">{t('form.noItems')}</p>}
      {rows.map((_, index) => (
        <Field key={index} path={join(path, index)} schema={items} required={false} label={rowLabel(index)} after={removeButton(index)} />
      ))}
      {!full && (
        <button type="button" class="button button-small" id={`${id}-add`} onClick={add}>
          <span aria-hidden="true">＋ </span>
          {t('form.add', { field: title })}
        </button>
      )}
    </fieldset>
  );
}

/** A field the user may not change in this state: its saved value, as on the case page (a country by its name). */
function ReadOnlyField({ name, schema }: { name: string; schema: JsonSchema }) {
  const i18n = useI18n();
  const form = useForm();
  const id = controlId(form.prefix, name);
  const value = form.saved[name];
  return (
    <div class="field field-readonly" id={id}>
      <p class="field-label">
        {i18n.pick(fieldLabel(name))}
        <span class="readonly-mark">{i18n.t('form.readOnly')}</span>
      </p>
      <div class="readonly-value">
        {controlOf(name, schema) === 'country' && typeof value === 'string' ? `${countryName(value, i18n.locale)} (${value})` : <DataValue field={name} value={value} />}
      </div>
    </div>
  );
}

/** The fields of a form, in the program's order; `skip` names one shown elsewhere (the variant). */
export function SchemaFields({ schema, context, skip }: { schema: JsonSchema; context: SchemaFormContext; skip?: string }) {
  const keys = orderFields(context.program, Object.keys(schema.properties ?? {})).filter((key) => key !== skip);
  const editable = (key: string) => context.editable === '*' || context.editable.includes(key);
  return (
    <Context.Provider value={context}>
      {keys.map((key) =>
        editable(key) ? (
          <Field key={key} path={key} schema={(schema.properties ?? {})[key]} required={schema.required?.includes(key) ?? false} />
        ) : (
          <ReadOnlyField key={key} name={key} schema={(schema.properties ?? {})[key]} />
        ),
      )}
    </Context.Provider>
  );
}
