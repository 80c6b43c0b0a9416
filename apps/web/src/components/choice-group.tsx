import { describedByOf, FieldDescription, RequiredMark } from './field-parts';

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
  return (
    <fieldset class={`field choices${errors.length ? ' field-invalid' : ''}`} id={id} aria-describedby={describedByOf(id, errors.length > 0, hint)}>
      <legend>
        {legend}
        {required && <RequiredMark />}
      </legend>
      <FieldDescription id={id} hint={hint} errors={errors} />
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
