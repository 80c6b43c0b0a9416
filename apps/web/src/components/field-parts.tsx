import type { ComponentChildren } from 'preact';
import { useI18n } from '../locale';

/**
 * What every form field of the UI shares: the "必須" tag, the hint and error lines under a label,
 * the ids a control's aria-describedby names, and the error summary's jump to a field.
 */

/** The red "必須" tag after a label. */
export function RequiredMark() {
  const { t } = useI18n();
  return <span class="required-mark">{t('form.required')}</span>;
}

/** The ids of a control's error lines and hint (`<id>-error`, `<id>-hint`), for aria-describedby. */
export function describedByOf(id: string, hasErrors: boolean, hint: string | undefined): string | undefined {
  return [hasErrors ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
}

/** A field's hint, then its messages, one per line, under the ids `describedByOf` names. */
export function FieldDescription({ id, hint, errors }: { id: string; hint?: string; errors: readonly string[] }) {
  return (
    <>
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {errors.length > 0 && (
        <p class="field-error" id={`${id}-error`}>
          {errors.map((message, index) => (
            <span key={index} class="field-error-line">
              {message}
            </span>
          ))}
        </p>
      )}
    </>
  );
}

/** From an error summary's link to its field: scrolls to it and focuses its (first) control. */
export function focusField(event: Event, id: string): void {
  const element = document.getElementById(id);
  if (!element) return;
  event.preventDefault();
  const target = element.matches('input, select, textarea') ? element : element.querySelector<HTMLElement>('input:checked, input, select, textarea, button');
  element.scrollIntoView({ block: 'center' });
  (target ?? element).focus({ preventScroll: true });
}

/** A group of choices: the fieldset with its legend, required mark, hint and messages around them. */
export function ChoiceFieldset(props: { id: string; legend: string; required?: boolean; hint?: string; errors: readonly string[]; row?: boolean; children: ComponentChildren }) {
  const { id, legend, required, hint, errors, row, children } = props;
  return (
    <fieldset class={`field choices${errors.length ? ' field-invalid' : ''}`} id={id} aria-describedby={describedByOf(id, errors.length > 0, hint)}>
      <legend>
        {legend}
        {required && <RequiredMark />}
      </legend>
      <FieldDescription id={id} hint={hint} errors={errors} />
      <div class={`choice-list${row ? ' choice-row' : ''}`}>{children}</div>
    </fieldset>
  );
}

/** Checkboxes (roles, people to remind) as one group with its legend, hint and messages. */
export function CheckboxGroup(props: {
  id: string;
  legend: string;
  choices: { value: string; label: string; disabled?: boolean }[];
  values: readonly string[];
  onChange(values: string[]): void;
  required?: boolean;
  hint?: string;
  errors?: readonly string[];
}) {
  const { id, legend, choices, values, onChange, required, hint, errors = [] } = props;
  return (
    <ChoiceFieldset id={id} legend={legend} required={required} hint={hint} errors={errors} row>
      {choices.map((choice, index) => (
        <label class="choice" key={choice.value} for={`${id}-${index}`}>
          <input
            id={`${id}-${index}`}
            type="checkbox"
            value={choice.value}
            checked={values.includes(choice.value)}
            disabled={choice.disabled}
            aria-invalid={errors.length ? true : undefined}
            onChange={(event) =>
              onChange(event.currentTarget.checked ? [...values.filter((value) => value !== choice.value), choice.value] : values.filter((value) => value !== choice.value))
            }
          />
          <span>{choice.label}</span>
        </label>
      ))}
    </ChoiceFieldset>
  );
}
