import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { readDraftJson, writeDraftJson } from '../drafts';
import { useI18n } from '../locale';
import { ErrorSummary, problemOf, serverMessages, type Problem } from './admin-parts';

export interface AdminFormOptions<V, F extends string> {
  /** The empty form (or the record being edited). */
  empty: V;
  fields: readonly F[];
  labels: Record<F, string>;
  /** The form's own checks: a message per field. */
  check(values: V): Partial<Record<F, string>>;
  /** Keeps what was typed in sessionStorage until it is saved; `keep` drops what must not be stored (a password). */
  draft?: { key: string; keep(values: V): Partial<V> };
  controlId(field: F): string;
}

/**
 * The state of an administration form: the values, the form's own checks (shown once sending
 * was tried), the server's messages at their fields (a field's message goes once it is changed),
 * the error summary, and the draft kept until the server has it.
 */
export function useAdminForm<V extends object, F extends string>(options: AdminFormOptions<V, F>) {
  const i18n = useI18n();
  const { t } = i18n;
  const { empty, fields, labels, check, draft, controlId } = options;
  const [initial] = useState(() => {
    const kept = draft ? readDraftJson<Partial<V>>(draft.key) : undefined;
    return kept && typeof kept === 'object' ? { values: { ...empty, ...kept }, restored: true } : { values: empty, restored: false };
  });
  const [values, setValues] = useState<V>(initial.values);
  const [restored, setRestored] = useState(initial.restored);
  const [attempted, setAttempted] = useState(false);
  const [problem, setProblem] = useState<Problem>();
  const [busy, setBusy] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);

  const kept = draft ? JSON.stringify(draft.keep(values)) : '';
  const emptyKept = draft ? JSON.stringify(draft.keep(empty)) : '';
  // Written in the keystroke's own commit (not after the next paint), so a reload at once keeps it.
  useLayoutEffect(() => {
    if (draft) writeDraftJson(draft.key, kept === emptyKept ? undefined : draft.keep(values));
  }, [draft?.key, kept, emptyKept]);

  function set<K extends keyof V>(field: K, value: V[K]) {
    setValues((current) => ({ ...current, [field]: value }));
    // The server's message of this field is the user's to fix now; the others stay.
    setProblem((current) => (current ? { ...current, violations: current.violations.filter((violation) => violation.field.split('.').at(-1) !== field) } : current));
  }

  const local = check(values);
  const server = serverMessages(problem?.violations ?? [], labels, i18n.locale);
  const errors = new Map<F, string[]>();
  if (attempted) for (const field of fields) if (local[field]) errors.set(field, [local[field] as string]);
  for (const [field, messages] of server.byField) errors.set(field, messages);

  /** Checks, then sends; a failure shows at the fields and in the focused summary. */
  async function submit(event: Event, send: (values: V) => Promise<void>) {
    event.preventDefault();
    if (busy) return;
    setAttempted(true);
    if (Object.values(check(values)).some(Boolean)) {
      setProblem(undefined);
      requestAnimationFrame(() => summaryRef.current?.focus());
      return;
    }
    setBusy(true);
    setProblem(undefined);
    try {
      await send(values);
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 401) return; // On the way to the login page; the draft stays.
      setProblem(problemOf(caught, t('error.unexpected')));
      requestAnimationFrame(() => summaryRef.current?.focus());
    } finally {
      setBusy(false);
    }
  }

  /** After a save (or a discard): the form starts again from `next`. */
  function reset(next: V = empty) {
    if (draft) writeDraftJson(draft.key, undefined);
    setValues(next);
    setRestored(false);
    setAttempted(false);
    setProblem(undefined);
  }

  const summary = (
    <ErrorSummary
      summaryRef={summaryRef}
      show={problem !== undefined || (attempted && errors.size > 0)}
      problem={problem}
      fields={fields}
      labels={labels}
      errors={errors}
      other={server.other}
      controlId={controlId}
    />
  );

  const restoredNotice =
    restored && kept !== emptyKept ? (
      <div class="alert alert-warning">
        <p>{t('form.restored')}</p>
        <button type="button" class="button button-small" onClick={() => reset()}>
          {t('form.discard')}
        </button>
      </div>
    ) : null;

  return { values, set, errors, busy, submit, reset, summary, restoredNotice };
}
