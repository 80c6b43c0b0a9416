import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { readDraftJson, writeDraftJson } from '../drafts';
import { dueAtOf, MAX_REMINDERS, REMINDER_PRESETS, reminderLabel, remindersFor, sortReminders, todayInJapan } from '../form/deadline-reminders';
import { useI18n } from '../locale';
import type { Colleague, Deadline, Violation } from '../types';
import { CheckboxGroup, RequiredMark } from './field-parts';

interface DeadlineDraft {
  title: string;
  timed: boolean;
  date: string;
  time: string;
  reminders: string[];
  /** Colleagues reminded too. */
  notify: string[];
}

type FieldName = 'title' | 'date' | 'time' | 'reminders' | 'notify';
type FieldErrors = Partial<Record<FieldName, string>>;

const EMPTY: DeadlineDraft = { title: '', timed: false, date: '', time: '', reminders: [], notify: [] };
const ORDER: FieldName[] = ['title', 'date', 'time', 'reminders', 'notify'];
/** Where focus goes for a field's message: its control, or the first of its group. */
const FOCUS: Record<FieldName, string> = { title: 'title', date: 'date', time: 'time', reminders: 'pick', notify: 'notify-0' };

export const deadlineDraftKey = (caseId: string) => `deadline:${caseId}`;

/** Whether a draft of a new deadline is kept for this case (the form then opens by itself). */
export function hasDeadlineDraft(caseId: string): boolean {
  return readDraftJson<DeadlineDraft>(deadlineDraftKey(caseId)) !== undefined;
}

interface Props {
  caseId: string;
  onAdded(deadline: Deadline): void;
  onClose(): void;
}

/**
 * A custom deadline: a title, a day (all day) or a day and time in JST, reminders picked from
 * presets and shown as removable chips, and colleagues to remind besides the caller and the case's
 * author. What is typed stays in sessionStorage until it is saved.
 */
export function DeadlineForm({ caseId, onAdded, onClose }: Props) {
  const { t } = useI18n();
  const id = useId();
  const draftKey = deadlineDraftKey(caseId);
  const [restored] = useState(() => readDraftJson<DeadlineDraft>(draftKey) !== undefined);
  const [draft, setDraft] = useState<DeadlineDraft>(() => ({ ...EMPTY, ...readDraftJson<Partial<DeadlineDraft>>(draftKey) }));
  const [pick, setPick] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<{ message: string; others: string[] }>();
  const [busy, setBusy] = useState(false);
  const [chipNotice, setChipNotice] = useState('');
  const form = useRef<HTMLFormElement>(null);
  const titleField = useRef<HTMLInputElement>(null);
  // undefined while loading; null when the list could not be loaded (the form still saves).
  const [colleagues, setColleagues] = useState<Colleague[] | null>();

  useEffect(() => titleField.current?.focus(), []);
  useEffect(() => {
    const abort = new AbortController();
    api.colleagues(abort.signal).then(setColleagues, () => !abort.signal.aborted && setColleagues(null));
    return () => abort.abort();
  }, []);

  function update(changes: Partial<DeadlineDraft>) {
    const next = { ...draft, ...changes };
    next.reminders = sortReminders(remindersFor(next.reminders, next.timed));
    setDraft(next);
    writeDraftJson(draftKey, next);
    // A field's message goes once it has been changed.
    const cleared = { ...errors };
    for (const key of Object.keys(changes) as (keyof DeadlineDraft)[]) {
      if (key === 'timed') delete cleared.time;
      else delete cleared[key as FieldName];
    }
    setErrors(cleared);
  }

  const available = REMINDER_PRESETS.filter((preset) => (draft.timed || !preset.timedOnly) && !draft.reminders.includes(preset.value));
  const chosen = available.some((preset) => preset.value === pick) ? pick : (available[0]?.value ?? '');

  function addReminder() {
    if (!chosen || draft.reminders.length >= MAX_REMINDERS) return;
    update({ reminders: [...draft.reminders, chosen] });
    setPick('');
    setChipNotice(t('deadlineForm.reminderAdded', { label: reminderLabel(chosen, t) }));
  }

  function removeReminder(value: string, index: number) {
    update({ reminders: draft.reminders.filter((reminder) => reminder !== value) });
    setChipNotice(t('deadlineForm.reminderRemoved', { label: reminderLabel(value, t) }));
    // Focus stays in the list (the next chip), or goes to the picker when none is left.
    requestAnimationFrame(() => {
      const buttons = form.current?.querySelectorAll<HTMLButtonElement>('.chip button');
      const next = buttons?.[Math.min(index, buttons.length - 1)];
      (next ?? form.current?.querySelector<HTMLSelectElement>(`[id="${id}-pick"]`))?.focus();
    });
  }

  function check(): FieldErrors {
    const found: FieldErrors = {};
    if (!draft.title.trim()) found.title = t('deadlineForm.titleMissing');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(draft.date)) found.date = t('deadlineForm.dateMissing');
    if (draft.timed && !/^\d{2}:\d{2}(:\d{2})?$/.test(draft.time)) found.time = t('deadlineForm.timeMissing');
    return found;
  }

  /** The server's violations at their fields, in the UI's words where the code is known. */
  function fromServer(violations: Violation[]): { fields: FieldErrors; others: string[] } {
    const fields: FieldErrors = {};
    const others: string[] = [];
    for (const violation of violations) {
      const name = violation.field.split('.')[0];
      if (name === 'title') fields.title ??= violation.code === 'maxLength' ? t('deadlineForm.titleTooLong') : violation.code === 'minLength' ? t('deadlineForm.titleMissing') : violation.message;
      else if (name === 'dueAt') fields[draft.timed ? 'time' : 'date'] ??= violation.message;
      else if (name === 'remindBefore') fields.reminders ??= t('deadlineForm.remindersInvalid');
      else if (name === 'notify') fields.notify ??= t('deadlineForm.notifyInvalid');
      else others.push(violation.message);
    }
    return { fields, others };
  }

  function focusFirst(found: FieldErrors) {
    const first = ORDER.find((name) => found[name]);
    if (!first) return;
    requestAnimationFrame(() => form.current?.querySelector<HTMLElement>(`[id="${id}-${FOCUS[first]}"]`)?.focus());
  }

  async function submit(event: Event) {
    event.preventDefault();
    if (busy) return;
    setProblem(undefined);
    const found = check();
    if (Object.keys(found).length) {
      setErrors(found);
      setProblem({ message: t('deadlineForm.problems'), others: [] });
      focusFirst(found);
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      const created = await api.addDeadline(caseId, {
        title: draft.title.trim(),
        dueAt: dueAtOf(draft.date, draft.timed ? draft.time : undefined),
        remindBefore: remindersFor(draft.reminders, draft.timed),
        // Only colleagues still listed: one disabled since the draft was kept is dropped here.
        notify: colleagues ? draft.notify.filter((userId) => colleagues.some((colleague) => colleague.id === userId)) : draft.notify,
      });
      writeDraftJson(draftKey, undefined);
      onAdded(created);
    } catch (caught) {
      if (!(caught instanceof ApiError)) {
        setProblem({ message: t('error.unexpected'), others: [] });
      } else if (caught.status === 401) {
        // On the way to the login page; the draft stays for the way back.
      } else {
        const { fields, others } = fromServer(caught.violations);
        setErrors(fields);
        setProblem({ message: caught.violations.length ? t('deadlineForm.problems') : caught.message, others });
        focusFirst(fields);
      }
    } finally {
      setBusy(false);
    }
  }

  const described = (name: FieldName, hint?: string) => [errors[name] && `${id}-${name}-error`, hint].filter(Boolean).join(' ') || undefined;
  const fieldError = (name: FieldName) =>
    errors[name] && (
      <p class="field-error" id={`${id}-${name}-error`}>
        <span class="field-error-line">{errors[name]}</span>
      </p>
    );
  const past = !!draft.date && /^\d{4}-\d{2}-\d{2}$/.test(draft.date) && draft.date < todayInJapan();

  return (
    <form class="deadline-form card" id="deadline-form" ref={form} aria-labelledby={`${id}-heading`} onSubmit={submit} noValidate>
      <h3 id={`${id}-heading`}>{t('deadlineForm.heading')}</h3>
      <p class="hint">{t('deadlineForm.intro')}</p>
      {restored && <p class="alert alert-warning">{t('deadlineForm.restored')}</p>}

      <div class={`field${errors.title ? ' field-invalid' : ''}`}>
        <label for={`${id}-title`}>
          {t('deadlineForm.title')}
          <RequiredMark />
        </label>
        <p class="hint" id={`${id}-title-hint`}>
          {t('deadlineForm.titleHint')}
        </p>
        {fieldError('title')}
        <input
          id={`${id}-title`}
          ref={titleField}
          type="text"
          autoComplete="off"
          aria-required="true"
          aria-invalid={errors.title ? true : undefined}
          aria-describedby={described('title', `${id}-title-hint`)}
          value={draft.title}
          onInput={(event) => update({ title: event.currentTarget.value })}
        />
      </div>

      <fieldset class="field choices">
        <legend>{t('deadlineForm.timing')}</legend>
        <div class="choice-list">
          {([false, true] as const).map((timed) => (
            <label class="choice" key={String(timed)} for={`${id}-timed-${timed}`}>
              <input id={`${id}-timed-${timed}`} type="radio" name={`${id}-timed`} checked={draft.timed === timed} onChange={() => update({ timed })} />
              <span>{t(timed ? 'deadlineForm.timed' : 'deadlineForm.allDay')}</span>
            </label>
          ))}
        </div>
      </fieldset>

      <div class="deadline-when">
        <div class={`field${errors.date ? ' field-invalid' : ''}`}>
          <label for={`${id}-date`}>
            {t('deadlineForm.date')}
            <RequiredMark />
          </label>
          {fieldError('date')}
          <input
            id={`${id}-date`}
            class="input-short"
            type="date"
            aria-required="true"
            aria-invalid={errors.date ? true : undefined}
            aria-describedby={described('date', past ? `${id}-past` : undefined)}
            value={draft.date}
            onInput={(event) => update({ date: event.currentTarget.value })}
          />
        </div>
        {draft.timed && (
          <div class={`field${errors.time ? ' field-invalid' : ''}`}>
            <label for={`${id}-time`}>
              {t('deadlineForm.time')}
              <RequiredMark />
            </label>
            {fieldError('time')}
            <input
              id={`${id}-time`}
              class="input-short"
              type="time"
              aria-required="true"
              aria-invalid={errors.time ? true : undefined}
              aria-describedby={described('time')}
              value={draft.time}
              onInput={(event) => update({ time: event.currentTarget.value })}
            />
          </div>
        )}
      </div>
      {past && (
        <p class="alert alert-warning" id={`${id}-past`}>
          {t('deadlineForm.pastNote')}
        </p>
      )}

      <fieldset class={`field reminders${errors.reminders ? ' field-invalid' : ''}`} aria-describedby={described('reminders', `${id}-reminders-hint`)}>
        <legend>{t('deadlineForm.reminders')}</legend>
        <p class="hint" id={`${id}-reminders-hint`}>
          {t('deadlineForm.remindersHint')}
        </p>
        {fieldError('reminders')}
        {draft.reminders.length ? (
          <ul class="chips" aria-label={t('deadlineForm.chosen')}>
            {draft.reminders.map((value, index) => {
              const label = reminderLabel(value, t);
              return (
                <li class="chip" key={value}>
                  <span>{label}</span>
                  <button type="button" aria-label={t('deadlineForm.reminderRemove', { label })} title={t('deadlineForm.reminderRemove', { label })} onClick={() => removeReminder(value, index)}>
                    <span aria-hidden="true">×</span>
                  </button>
                </li>
              );
            })}
          </ul>
        ) : (
          <p class="muted chips-empty">{t('deadlineForm.noReminders')}</p>
        )}
        {available.length > 0 && draft.reminders.length < MAX_REMINDERS ? (
          <div class="reminder-picker">
            <label for={`${id}-pick`}>{t('deadlineForm.reminderSelect')}</label>
            <div class="input-with-button">
              <select id={`${id}-pick`} class="input-medium" value={chosen} onChange={(event) => setPick(event.currentTarget.value)}>
                {available.map((preset) => (
                  <option key={preset.value} value={preset.value}>
                    {reminderLabel(preset.value, t)}
                  </option>
                ))}
              </select>
              <button type="button" class="button" onClick={addReminder}>
                {t('deadlineForm.reminderAdd')}
              </button>
            </div>
          </div>
        ) : (
          <p class="muted">{t('deadlineForm.allChosen')}</p>
        )}
        <p class="visually-hidden" role="status">
          {chipNotice}
        </p>
      </fieldset>

      {colleagues === null ? (
        <p class="muted">{t('deadlineForm.notifyUnavailable')}</p>
      ) : colleagues?.length === 0 ? (
        <p class="muted">{t('deadlineForm.notifyNone')}</p>
      ) : (
        colleagues && (
          <CheckboxGroup
            id={`${id}-notify`}
            legend={t('deadlineForm.notify')}
            hint={t('deadlineForm.notifyHint')}
            choices={colleagues.map((colleague) => ({ value: colleague.id, label: t('deadlineForm.colleague', { name: colleague.name, roles: colleague.roles.map((role) => t(`admin.role.${role}`)).join(t('deadlineForm.roleSeparator')) }) }))}
            values={draft.notify}
            errors={errors.notify ? [errors.notify] : []}
            onChange={(notify) => update({ notify })}
          />
        )
      )}

      <div role="alert">
        {problem && (
          <div class="alert alert-error">
            <p>{problem.message}</p>
            {problem.others.length > 0 && (
              <ul class="violations">
                {problem.others.map((message, index) => (
                  <li key={index}>{message}</li>
                ))}
              </ul>
            )}
          </div>
        )}
      </div>
      <div class="buttons form-buttons">
        <button type="submit" class="button button-primary" aria-busy={busy}>
          {t('deadlineForm.submit')}
        </button>
        <button
          type="button"
          class="button"
          onClick={() => {
            // Cancelling gives up what was typed; an error, a reload or an ended session keeps it.
            writeDraftJson(draftKey, undefined);
            onClose();
          }}
        >
          {t('deadlineForm.cancel')}
        </button>
      </div>
      <p class="visually-hidden" role="status">
        {busy ? t('deadlineForm.submitting') : ''}
      </p>
    </form>
  );
}
