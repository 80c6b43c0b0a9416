import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { readDraft, writeDraft } from '../drafts';
import { fieldLabel } from '../field-labels';
import { useI18n } from '../locale';
import { actionTitle, commentRequired, stateTitle } from '../programs';
import { useSession } from '../session';
import type { Case, Program, ProgramAction, Violation } from '../types';

/** Violations of case data fields name them as `data.<field>`. */
function ViolationList({ violations }: { violations: Violation[] }) {
  const { pick, t } = useI18n();
  if (!violations.length) return null;
  return (
    <ul class="violations">
      {violations.map((violation, index) => (
        <li key={index}>
          {violation.field && (
            <>
              <strong>{pick(fieldLabel(violation.field.replace(/^data\./, '')))}</strong>
              {t('list.colon')}
            </>
          )}
          {violation.message}
        </li>
      ))}
    </ul>
  );
}

interface FormProps {
  kase: Case;
  program: Program;
  action: ProgramAction;
  onDone(updated: Case): void;
  /** Reloads the case (and its history) after a 409: someone else moved it first. */
  onStale(): Promise<void>;
  onClose(): void;
}

function ActionForm({ kase, program, action, onDone, onStale, onClose }: FormProps) {
  const i18n = useI18n();
  const { t } = i18n;
  const { me } = useSession();
  const id = useId();
  const draftKey = `${kase.id}:${action.key}`;
  const [comment, setComment] = useState(() => readDraft(draftKey));
  const [commentError, setCommentError] = useState<string>();
  const [problem, setProblem] = useState<{ message: string; violations: Violation[] }>();
  const [precheck, setPrecheck] = useState<Violation[]>([]);
  const [busy, setBusy] = useState(false);
  const field = useRef<HTMLTextAreaElement>(null);
  const required = commentRequired(action, me.roles);
  const allowed = kase.allowedActions.includes(action.key);
  const title = i18n.pick(action.title);

  useEffect(() => field.current?.focus(), []);

  // A dry run of the action's rules as the form opens: what would fail is said before confirming.
  useEffect(() => {
    const controller = new AbortController();
    api.checkAction(kase.id, action.key, controller.signal).then(
      (result) => setPrecheck(result.allowed ? [] : result.violations.length ? result.violations : [{ field: '', code: result.code ?? '', message: result.message ?? '' }]),
      () => setPrecheck([]), // Only a hint: the action itself reports any error.
    );
    return () => controller.abort();
  }, [kase.id, kase.version, action.key]);

  function edit(text: string) {
    setComment(text);
    writeDraft(draftKey, text);
    if (commentError && text.trim()) setCommentError(undefined);
  }

  async function confirm(event: Event) {
    event.preventDefault();
    if (busy) return;
    if (required && !comment.trim()) {
      setCommentError(t('action.commentMissing'));
      field.current?.focus();
      return;
    }
    setBusy(true);
    setCommentError(undefined);
    setProblem(undefined);
    try {
      const updated = await api.takeAction(kase.id, action.key, { version: kase.version, ...(comment.trim() ? { comment } : {}) });
      writeDraft(draftKey, '');
      onDone(updated);
    } catch (caught) {
      if (!(caught instanceof ApiError)) {
        setProblem({ message: t('error.unexpected'), violations: [] });
      } else if (caught.status === 401) {
        // On the way to the login page; the draft stays for the way back.
      } else if (caught.status === 409) {
        await onStale();
        setProblem({ message: caught.code === 'VERSION_CONFLICT' ? t('action.conflict') : `${caught.message} ${t('action.unavailable')}`, violations: [] });
      } else {
        const onComment = caught.violations.find((violation) => violation.field === 'comment');
        setCommentError(onComment?.message);
        setProblem({ message: caught.message, violations: caught.violations.filter((violation) => violation !== onComment) });
        if (onComment) field.current?.focus();
      }
    } finally {
      setBusy(false);
    }
  }

  const describedBy = [`${id}-hint`, commentError && `${id}-error`].filter(Boolean).join(' ');
  return (
    <form class="action-form card" id={`action-form-${action.key}`} aria-labelledby={`${id}-title`} onSubmit={confirm} noValidate>
      <h3 id={`${id}-title`}>{title}</h3>
      <p id={`${id}-hint`}>
        {t('action.transition', { from: stateTitle(program, kase.state, i18n), to: stateTitle(program, action.to, i18n) })}
      </p>
      {precheck.length > 0 && !problem && (
        <div class="alert alert-warning">
          <p>{t('action.precheck')}</p>
          <ViolationList violations={precheck} />
        </div>
      )}
      <div class="field">
        <label for={`${id}-comment`}>
          {t('action.comment')}
          <span class="field-requirement">{required ? t('action.required') : t('action.optional')}</span>
        </label>
        {commentError && (
          <p class="field-error" id={`${id}-error`}>
            {commentError}
          </p>
        )}
        <textarea
          id={`${id}-comment`}
          ref={field}
          rows={4}
          aria-required={required}
          aria-invalid={commentError ? true : undefined}
          aria-describedby={describedBy}
          value={comment}
          onInput={(event) => edit(event.currentTarget.value)}
        />
      </div>
      <div role="alert">
        {problem && (
          <div class="alert alert-error">
            <p>{problem.violations.length ? t('action.problems') : problem.message}</p>
            <ViolationList violations={problem.violations} />
          </div>
        )}
        {!allowed && !problem && <p class="alert alert-warning">{t('action.unavailable')}</p>}
      </div>
      <div class="buttons">
        {allowed && (
          <button type="submit" class="button button-primary" aria-busy={busy}>
            {t('action.confirm', { action: title })}
          </button>
        )}
        <button type="button" class="button" onClick={onClose}>
          {t('action.cancel')}
        </button>
      </div>
      <p class="visually-hidden" role="status">
        {busy ? t('action.submitting') : ''}
      </p>
    </form>
  );
}

interface Props {
  kase: Case;
  program: Program;
  onDone(updated: Case): void;
  onStale(): Promise<void>;
}

/**
 * The actions the user may take now, each opening a small form: an optional or required comment,
 * then confirm. Sent with the case's version, so a case someone else changed meanwhile answers
 * 409 instead of being overwritten.
 */
export function CaseActions({ kase, program, onDone, onStale }: Props) {
  const i18n = useI18n();
  const { t } = i18n;
  const [open, setOpen] = useState<string>();
  const [announcement, setAnnouncement] = useState('');
  const heading = useRef<HTMLHeadingElement>(null);
  const buttons = useRef<HTMLUListElement>(null);
  const openAction = program.actions.find((action) => action.key === open);

  function close() {
    const key = open;
    setOpen(undefined);
    requestAnimationFrame(() => buttons.current?.querySelector<HTMLButtonElement>(`[data-action="${key}"]`)?.focus());
  }

  function done(updated: Case) {
    const title = actionTitle(program, open ?? '', i18n);
    setOpen(undefined);
    onDone(updated);
    setAnnouncement(t('action.done', { action: title, state: stateTitle(program, updated.state, i18n) }));
    // The buttons change with the new state: continue from the section's heading.
    requestAnimationFrame(() => heading.current?.focus());
  }

  return (
    <section class="section" aria-labelledby="actions-heading">
      <h2 id="actions-heading" ref={heading} tabIndex={-1}>
        {t('case.actions')}
      </h2>
      <div role="status">{announcement && <p class="alert alert-success">{announcement}</p>}</div>
      {kase.allowedActions.length ? (
        <ul class="action-buttons" ref={buttons}>
          {kase.allowedActions.map((key) => (
            <li key={key}>
              <button
                type="button"
                class={`button${open === key ? ' button-primary' : ''}`}
                data-action={key}
                aria-expanded={open === key}
                aria-controls={open === key ? `action-form-${key}` : undefined}
                onClick={() => {
                  setAnnouncement('');
                  setOpen(open === key ? undefined : key);
                }}
              >
                {actionTitle(program, key, i18n)}
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p>{t('case.noActions')}</p>
      )}
      {openAction && <ActionForm key={openAction.key} kase={kase} program={program} action={openAction} onDone={done} onStale={onStale} onClose={close} />}
    </section>
  );
}
