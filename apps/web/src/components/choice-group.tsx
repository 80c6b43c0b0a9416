import { ChoiceFieldset } from './field-parts';

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
    <ChoiceFieldset id={id} legend={legend} required={required} hint={hint} errors={errors}>
      {choices.map((choice, index) => (
        <label class="choice" key={choice.value} for={`${id}-${index}`}>
          <input id={`${id}-${index}`} type="radio" name={id} value={choice.value} checked={value === choice.value} onChange={() => onChange(choice.value)} />
          <span>{choice.label}</span>
        </label>
      ))}
    </ChoiceFieldset>
  );
}
