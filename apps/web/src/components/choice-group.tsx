import { useI18n } from '../locale';

/** The red "必須" tag after a label. */
export function RequiredMark() {
  const { t } = useI18n();
  return <span class="required-mark">{t('form.required')}</span>;
}

export interface Choice {
  value: string;
  label: string;
}

/** One choice of a few (a program, a scheme) as radio buttons. */
export function ChoiceGroup(props: {
  id: string;
  legend: string;
  choices: Choice[];
  value: string | undefined;
  onChange(value: string): void;
  required?: boolean;
  hint?: string;
  errors?: readonly string[];
}) {
  const { id, legend, choices, value, onChange, required, hint, errors = [] } = props;
  const describedBy = [errors.length ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <fieldset class={`field choices${errors.length ? ' field-invalid' : ''}`} id={id} aria-describedby={describedBy}>
      <legend>
        {legend}
        {required && <RequiredMark />}
      </legend>
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {errors.length > 0 && (
        <p class="field-error" id={`${id}-error`}>
          {errors.join(' ')}
        </p>
      )}
      <div class="choice-list">
        {choices.map((choice, index) => (
          <label class="choice" key={choice.value} for={`${id}-${index}`}>
            <input id={`${id}-${index}`} type="radio" name={id} value={choice.value} checked={value === choice.value} onChange={() => onChange(choice.value)} />
            <span>{choice.label}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
