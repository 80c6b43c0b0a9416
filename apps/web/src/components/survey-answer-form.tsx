import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { readDraftJson, writeDraftJson } from '../drafts';
import {
  ANSWER_FIELDS,
  answerOf,
  ATTENDANCES,
  ATTENDEE_LEVELS,
  checkAnswer,
  DELEGATION,
  EMPTY_INPUT,
  fieldOf,
  inputOf,
  sameInput,
  serverMessages,
  type AnswerField,
  type AnswerInput,
} from '../form/survey-answer';
import { useI18n } from '../locale';
import type { SurveyResponse, Violation } from '../types';
import { ChoiceGroup } from './choice-group';
import { describedByOf, FieldDescription, focusField, RequiredMark } from './field-parts';
import { surveyField, surveyValue } from './survey-parts';

const PREFIX = 'survey';
const controlId = (field: AnswerField) => `${PREFIX}-${field}`;

interface Props {
  caseId: string;
  /** The organisation's answer as the server has it. */
  response: SurveyResponse;
  onAnswered(response: SurveyResponse): void;
  /** The survey closed meanwhile (409): the section reads it again and says so. */
  onClosed(message: string): Promise<void>;
}

/** A control's label, hint and messages, wired up as schema-form.tsx does it. */
function Field(props: { field: AnswerField; label: string; hint?: string; errors: readonly string[]; children(describedBy: string | undefined, invalid: boolean): ComponentChildren }) {
  const { field, label, hint, errors } = props;
  const id = controlId(field);
  return (
    <div class={`field${errors.length ? ' field-invalid' : ''}`} data-answer-field={field}>
      <label for={id}>
        {label}
        <RequiredMark />
      </label>
      <FieldDescription id={id} hint={hint} errors={errors} />
      {props.children(describedByOf(id, errors.length > 0, hint), errors.length > 0)}
    </div>
  );
}

/**
 * An invited organisation's answer: attending or declining, and when attending the level, the
 * size and the promotion. What is typed stays in sessionStorage until the server has it, so an
 * error, a reload or an ended session loses nothing. The form's own checks run as the user goes
 * (after a field is left, or at send); the server's messages then show at their fields.
 */
export function SurveyAnswerForm({ caseId, response, onAnswered, onClosed }: Props) {
  const i18n = useI18n();
  const { t } = i18n;
  const draftKey = `survey:${caseId}`;
  const saved = inputOf(response);
  const [initial] = useState(() => {
    const draft = readDraftJson<Partial<AnswerInput>>(draftKey);
    return draft && typeof draft === 'object' ? { input: { ...EMPTY_INPUT, ...draft }, restored: true } : { input: saved, restored: false };
  });
  const [input, setInput] = useState<AnswerInput>(initial.input);
  const [restored, setRestored] = useState(initial.restored);
  const [touched, setTouched] = useState<ReadonlySet<AnswerField>>(() => new Set());
  const [attempted, setAttempted] = useState(false);
  const [badNumber, setBadNumber] = useState(false);
  const [problem, setProblem] = useState<{ message: string; violations: Violation[] }>();
  const [busy, setBusy] = useState(false);
  const summary = useRef<HTMLDivElement>(null);

  const dirty = !sameInput(input, saved);
  // In the keystroke's own render, not after the next paint, so a reload at once keeps it.
  useLayoutEffect(() => {
    writeDraftJson(draftKey, dirty ? input : undefined);
  }, [draftKey, input, dirty]);

  function change<K extends AnswerField>(field: K, value: AnswerInput[K]) {
    setInput((current) => ({ ...current, [field]: value }));
    setTouched((current) => (current.has(field) ? current : new Set(current).add(field)));
    // The server's message of this field is the user's to fix now; the others stay.
    setProblem((current) => (current ? { ...current, violations: current.violations.filter((violation) => fieldOf(violation) !== field) } : current));
  }

  function left(event: FocusEvent) {
    const field = (event.target as HTMLElement | null)?.closest?.('[data-answer-field]')?.getAttribute('data-answer-field') as AnswerField | null | undefined;
    if (field && !touched.has(field)) setTouched(new Set(touched).add(field));
  }

  // Every message at its field: the server's, else the form's own once the field was left or sending was tried.
  const attending = input.attendance === 'attending';
  const server = serverMessages(problem?.violations ?? [], (field) => surveyField(field, i18n), i18n.locale);
  const errors = new Map<AnswerField, string[]>();
  for (const check of checkAnswer(input)) {
    if (attempted || touched.has(check.field)) errors.set(check.field, [t(`check.${check.code}`, check.params)]);
  }
  if (badNumber && attending) errors.set('delegationSize', [t('check.number')]);
  for (const [field, messages] of server.byField) errors.set(field, messages);
  const shown = ANSWER_FIELDS.filter((field) => errors.has(field) && (field === 'attendance' || attending));

  async function send(event: Event) {
    event.preventDefault();
    if (busy) return;
    setAttempted(true);
    const answer = answerOf(input);
    if (!answer || checkAnswer(input).length || (badNumber && attending)) {
      setProblem(undefined);
      requestAnimationFrame(() => summary.current?.focus());
      return;
    }
    setBusy(true);
    setProblem(undefined);
    try {
      const answered = await api.answerSurvey(caseId, answer);
      writeDraftJson(draftKey, undefined);
      setInput(inputOf(answered));
      setRestored(false);
      setAttempted(false);
      setTouched(new Set());
      onAnswered(answered);
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 401) return; // On the way to the login page; the draft stays.
      if (caught instanceof ApiError && caught.status === 409) {
        await onClosed(caught.message);
        return;
      }
      setProblem(caught instanceof ApiError ? { message: caught.message, violations: caught.violations } : { message: t('error.unexpected'), violations: [] });
      requestAnimationFrame(() => summary.current?.focus());
    } finally {
      setBusy(false);
    }
  }

  function discard() {
    setInput(saved);
    setRestored(false);
    setProblem(undefined);
    setAttempted(false);
    setTouched(new Set());
    setBadNumber(false);
  }

  const showSummary = problem !== undefined || (attempted && shown.length > 0);
  return (
    <form class="card survey-form" aria-labelledby={`${PREFIX}-form-title`} onSubmit={send} onFocusOut={left} noValidate>
      <h3 id={`${PREFIX}-form-title`}>{response.status === 'pending' ? t('survey.formTitle') : t('survey.formTitleChange')}</h3>
      <p class="hint form-note">{t('survey.intro')}</p>
      {restored && dirty && (
        <div class="alert alert-warning">
          <p>{t('survey.restored')}</p>
          <button type="button" class="button button-small" onClick={discard}>
            {t('form.discard')}
          </button>
        </div>
      )}
      <div ref={summary} tabIndex={-1} role="alert" class="error-summary-region">
        {showSummary && (
          <div class="alert alert-error error-summary">
            <p>
              <strong>{problem && !problem.violations.length ? problem.message : t('survey.errorSummary')}</strong>
              {problem?.violations.length === 0 && problem.message && ` ${t('survey.closedNow')}`}
            </p>
            {(shown.length > 0 || server.other.length > 0) && (
              <ul class="problem-list">
                {shown.map((field) => (
                  <li key={field}>
                    <a href={`#${controlId(field)}`} onClick={(event) => focusField(event, controlId(field))}>
                      {surveyField(field, i18n)}
                    </a>
                    {t('list.colon')}
                    {(errors.get(field) ?? []).join(' ')}
                  </li>
                ))}
                {server.other.map((message, index) => (
                  <li key={`other-${index}`}>{message}</li>
                ))}
              </ul>
            )}
          </div>
        )}
      </div>

      <div data-answer-field="attendance">
        <ChoiceGroup
          id={controlId('attendance')}
          legend={surveyField('attendance', i18n)}
          required
          choices={ATTENDANCES.map((value) => ({ value, label: surveyValue('attendance', value, i18n) }))}
          value={input.attendance || undefined}
          onChange={(value) => change('attendance', value as AnswerInput['attendance'])}
          errors={errors.get('attendance')}
        />
      </div>

      {attending && (
        <div class="group survey-attending">
          <Field field="attendeeLevel" label={surveyField('attendeeLevel', i18n)} errors={errors.get('attendeeLevel') ?? []}>
            {(describedBy, invalid) => (
              <select
                id={controlId('attendeeLevel')}
                class="input-medium"
                aria-describedby={describedBy}
                aria-invalid={invalid || undefined}
                value={input.attendeeLevel}
                onChange={(event) => change('attendeeLevel', event.currentTarget.value as AnswerInput['attendeeLevel'])}
              >
                <option value="">{t('form.choose')}</option>
                {ATTENDEE_LEVELS.map((level) => (
                  <option key={level} value={level}>
                    {surveyValue('attendeeLevel', level, i18n)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field
            field="delegationSize"
            label={surveyField('delegationSize', i18n)}
            hint={t('survey.delegationHint', { min: DELEGATION.min, max: DELEGATION.max })}
            errors={errors.get('delegationSize') ?? []}
          >
            {(describedBy, invalid) => (
              <input
                id={controlId('delegationSize')}
                class="input-short"
                type="number"
                inputMode="numeric"
                step={1}
                min={DELEGATION.min}
                max={DELEGATION.max}
                aria-describedby={describedBy}
                aria-invalid={invalid || undefined}
                value={input.delegationSize}
                onInput={(event) => {
                  // Text that is no number reads as '': say so rather than silently dropping it.
                  setBadNumber(event.currentTarget.validity.badInput);
                  change('delegationSize', event.currentTarget.value);
                }}
              />
            )}
          </Field>
          <div class="field" data-answer-field="joinsPromotion">
            <label class="choice" for={controlId('joinsPromotion')}>
              <input
                id={controlId('joinsPromotion')}
                type="checkbox"
                checked={input.joinsPromotion}
                aria-invalid={errors.has('joinsPromotion') || undefined}
                aria-describedby={errors.has('joinsPromotion') ? `${controlId('joinsPromotion')}-error` : undefined}
                onChange={(event) => change('joinsPromotion', event.currentTarget.checked)}
              />
              <span>{t('survey.joinsPromotionChoice')}</span>
            </label>
            {errors.has('joinsPromotion') && (
              <p class="field-error" id={`${controlId('joinsPromotion')}-error`}>
                {(errors.get('joinsPromotion') ?? []).join(' ')}
              </p>
            )}
          </div>
        </div>
      )}

      <div class="buttons form-buttons">
        <button type="submit" class="button button-primary" aria-busy={busy}>
          {t('survey.send')}
        </button>
      </div>
      <p class="visually-hidden" role="status">
        {busy ? t('survey.sending') : ''}
      </p>
    </form>
  );
}
