import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { readDraftJson, writeDraftJson } from '../drafts';
import { fieldLabel } from '../field-labels';
import { schemaFor } from '../form/program-forms';
import { relabelled } from '../form/server-messages';
import { clientViolations, controlId, controlPath, sameValue, setRawAt, toData, toRaw, toRawPath, topField, type IndexMaps, type Raw, type RawObject } from '../form/schema';
import type { I18n } from '../locale';
import { useI18n } from '../locale';
import type { Case, Program, ProgramForm, Violation } from '../types';
import { ChoiceGroup } from './choice-group';
import { focusField } from './field-parts';
import { optionLabel, SchemaFields, type SchemaFormContext } from './schema-form';

/** What sessionStorage keeps of a form until it is saved: the inputs, and for an edit the version they started from. */
export interface FormDraft {
  raw: RawObject;
  base?: { data: Record<string, unknown>; version: number };
}

interface Props {
  program: Program;
  form: ProgramForm;
  /** The case being edited; none for a new one. */
  kase?: Case;
  editable: '*' | string[];
  draftKey: string;
  /** The data a new form starts with (the variant chosen in the URL). */
  start?: Record<string, unknown>;
  onSaved(saved: Case): void;
  onCancel(): void;
  /** The case as it is now, read again after a 409. */
  reload?(): Promise<Case>;
}

interface Conflict {
  latest: Case;
  /** Top-level fields the other person changed, and those of them the user changed too. */
  theirs: string[];
  both: string[];
}

/** One message for the summary and its field. */
interface Problem {
  /** The control's path ('' when no control shows it). */
  at: string;
  message: string;
}

const PREFIX = 'f';

function rawOf(form: ProgramForm, data: Record<string, unknown>): RawObject {
  const schema = schemaFor(form, data);
  if (schema) return (toRaw(schema, data) as RawObject | undefined) ?? {};
  const field = form.variants?.field;
  return field && typeof data[field] === 'string' ? { [field]: data[field] as string } : {};
}

function changedKeys(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((key) => !sameValue(before[key], after[key]));
}

/** `hostContact.email` → 受入担当者 › メールアドレス; `itinerary.0.place` → 行程 1 › 場所. */
function pathLabel(path: string, i18n: I18n): string {
  const parts: string[] = [];
  for (const segment of path.split('.')) {
    if (/^\d+$/.test(segment) && parts.length) parts[parts.length - 1] = i18n.t('form.item', { field: parts[parts.length - 1], n: Number(segment) + 1 });
    else parts.push(i18n.pick(fieldLabel(segment)));
  }
  return parts.join(' › ');
}

/**
 * A shape message names its field by path (`data.hostContact.email はメールアドレスの形式で…`):
 * the field's title reads better.
 */
function tidyMessage(violation: Violation, i18n: I18n): string {
  return relabelled(violation.message, [violation.field], pathLabel(violation.field.replace(/^data\./, ''), i18n), i18n.locale);
}

function ProblemList({ problems }: { problems: Problem[] }) {
  const i18n = useI18n();
  return (
    <ul class="problem-list">
      {problems.map((problem, index) => (
        <li key={index}>
          {problem.at ? (
            <a href={`#${controlId(PREFIX, problem.at)}`} onClick={(event) => focusField(event, controlId(PREFIX, problem.at))}>
              {pathLabel(problem.at, i18n)}
            </a>
          ) : null}
          {problem.at ? i18n.t('list.colon') : null}
          {problem.message}
        </li>
      ))}
    </ul>
  );
}

/**
 * The form of a new case or of an edit: the variant choice, the fields, save. What is typed is
 * kept in sessionStorage until it is saved. An edit checks the submit rules on the server as the
 * user types (a dry run, nothing written) and shows each message at its field; a new case gets
 * the schema's own checks as hints. A stale version (409) reloads the case and keeps the input.
 */
export function CaseForm({ program, form, kase, editable, draftKey, start, onSaved, onCancel, reload }: Props) {
  const i18n = useI18n();
  const { t } = i18n;
  const [initial] = useState(() => {
    const draft = readDraftJson<FormDraft>(draftKey);
    const raw = draft && typeof draft.raw === 'object' && draft.raw ? draft.raw : undefined;
    if (kase) {
      const base = raw && draft?.base ? draft.base : { data: kase.data, version: kase.version };
      // Typed on an older version of the case (before a reload, say): as after a 409.
      const conflict: Conflict | undefined = raw && base.version !== kase.version ? { latest: kase, theirs: changedKeys(base.data, kase.data), both: [] } : undefined;
      return { raw: raw ?? rawOf(form, kase.data), base, restored: !!raw, conflict };
    }
    return { raw: raw ?? rawOf(form, start ?? {}), base: undefined, restored: !!raw, conflict: undefined };
  });
  const [raw, setRaw] = useState<RawObject>(initial.raw);
  const [base, setBase] = useState(initial.base);
  const [restored, setRestored] = useState(initial.restored);
  const [touched, setTouched] = useState<ReadonlySet<string>>(() => new Set());
  const [attempted, setAttempted] = useState(false);
  const [saveProblem, setSaveProblem] = useState<{ message: string; violations: Violation[] }>();
  const [check, setCheck] = useState<{ violations: Violation[]; message?: string }>();
  const [checking, setChecking] = useState(false);
  const [conflict, setConflict] = useState<Conflict | undefined>(initial.conflict);
  const [busy, setBusy] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const summary = useRef<HTMLDivElement>(null);
  const conflictBox = useRef<HTMLDivElement>(null);

  const variantField = form.variants?.field;
  const schema = schemaFor(form, raw);
  const maps: IndexMaps = new Map();
  const data: Record<string, unknown> = schema ? ((toData(schema, raw, maps) as Record<string, unknown> | undefined) ?? {}) : variantField && typeof raw[variantField] === 'string' ? { [variantField]: raw[variantField] } : {};

  // An edit sends only what changed (the API merges it into the case; null clears a field).
  const payload: Record<string, unknown> = {};
  if (kase && base) {
    for (const key of Object.keys(schema?.properties ?? {})) {
      if (editable !== '*' && !editable.includes(key)) continue;
      if (!sameValue(data[key], base.data[key])) payload[key] = data[key] ?? null;
    }
  }
  const dirty = kase ? Object.keys(payload).length > 0 : Object.keys(data).length > 0;
  const payloadKey = JSON.stringify(payload);

  // In the same commit as the keystroke's render, not after the next paint: a reload or a closed
  // tab right after typing would otherwise lose the last field.
  useLayoutEffect(() => {
    writeDraftJson(draftKey, dirty ? ({ raw, base } satisfies FormDraft) : undefined);
  }, [raw, base]);

  // The dry run of `submit` while the user types: 400 ms after the last change, at once on blur.
  const live = !!kase && kase.allowedActions.includes('submit') && !conflict;
  const latestPayload = useRef(payload);
  latestPayload.current = payload;
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const inflight = useRef<AbortController | undefined>(undefined);
  const caseId = kase?.id;
  const runCheck = useCallback(() => {
    clearTimeout(timer.current);
    timer.current = undefined;
    if (!caseId) return;
    inflight.current?.abort();
    const controller = new AbortController();
    inflight.current = controller;
    setChecking(true);
    api.checkAction(caseId, 'submit', controller.signal, latestPayload.current).then(
      (result) => {
        if (controller.signal.aborted) return;
        setCheck({ violations: result.allowed ? [] : result.violations, message: result.allowed || result.violations.length ? undefined : (result.message ?? undefined) });
        setChecking(false);
      },
      () => {
        if (controller.signal.aborted) return;
        setChecking(false); // Only a hint: saving reports real errors.
      },
    );
  }, [caseId]);
  const checked = check !== undefined;
  // The server words its messages in the UI's language: a switch asks again at once.
  const checkedIn = useRef(i18n.locale);
  useEffect(() => {
    if (!live) return;
    const immediately = !checked || checkedIn.current !== i18n.locale;
    checkedIn.current = i18n.locale;
    timer.current = setTimeout(runCheck, immediately ? 0 : 400);
    return () => clearTimeout(timer.current);
  }, [live, payloadKey, base?.version, runCheck, i18n.locale]);
  useEffect(() => () => inflight.current?.abort(), []);

  const change = useCallback((path: string, value: Raw) => {
    setRaw((current) => setRawAt(current, path, value) as RawObject);
    const top = topField(path);
    setTouched((current) => (current.has(top) ? current : new Set(current).add(top)));
    // A save error of this field is the user's to fix now; the others stay listed.
    setSaveProblem((current) => {
      if (!current?.violations.length) return current;
      const violations = current.violations.filter((violation) => topField(violation.field.replace(/^data\./, '')) !== top);
      return violations.length ? { ...current, violations } : undefined;
    });
  }, []);

  function blurred(event: FocusEvent) {
    const path = (event.target as HTMLElement | null)?.closest?.('[data-path]')?.getAttribute('data-path');
    if (path) {
      const top = topField(path);
      setTouched((current) => (current.has(top) ? current : new Set(current).add(top)));
    }
    if (live && timer.current !== undefined) runCheck();
  }

  // Every message, at the control that shows it.
  const locate = (field: string) => (schema ? controlPath(schema, raw, toRawPath(field.replace(/^data\./, ''), maps)) : variantField && field === variantField ? field : '');
  const saveProblems: Problem[] = (saveProblem?.violations ?? []).map((violation) => ({ at: locate(violation.field), message: tidyMessage(violation, i18n) }));
  const checkProblems: Problem[] = live && check ? [...check.violations.map((violation) => ({ at: locate(violation.field), message: tidyMessage(violation, i18n) })), ...(check.message ? [{ at: '', message: check.message }] : [])] : [];
  const hintProblems: Problem[] =
    !live && schema
      ? clientViolations(schema, raw)
          .filter((violation) => attempted || touched.has(topField(violation.field)))
          .map((violation) => ({ at: controlPath(schema, raw, violation.field), message: t(`check.${violation.code}`, violation.params) }))
      : [];
  const errors = new Map<string, string[]>();
  const fromServer = new Set([...saveProblems, ...checkProblems].map((problem) => problem.at));
  // The form's own hint says less than the server's message of the same field: one is enough.
  for (const problem of [...saveProblems, ...checkProblems, ...hintProblems.filter((hint) => !fromServer.has(hint.at))]) {
    if (!problem.at) continue;
    const messages = errors.get(problem.at) ?? [];
    if (!messages.includes(problem.message)) messages.push(problem.message);
    errors.set(problem.at, messages);
  }

  async function save(event: Event) {
    event.preventDefault();
    if (busy) return;
    setAttempted(true);
    setBusy(true);
    setSaveProblem(undefined);
    setAnnouncement('');
    try {
      let saved: Case;
      if (kase && base) {
        if (!dirty) {
          writeDraftJson(draftKey, undefined);
          onSaved(kase);
          return;
        }
        saved = await api.updateCase(kase.id, { data: payload, version: base.version });
      } else {
        saved = await api.createCase(program.key, data);
      }
      writeDraftJson(draftKey, undefined);
      onSaved(saved);
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 401) return; // On the way to the login page; the draft stays.
      if (caught instanceof ApiError && caught.code === 'VERSION_CONFLICT' && kase && base && reload) {
        try {
          const latest = await reload();
          const theirs = changedKeys(base.data, latest.data);
          setConflict({ latest, theirs, both: Object.keys(payload).filter((key) => theirs.includes(key)) });
          requestAnimationFrame(() => conflictBox.current?.focus());
          return;
        } catch {
          // Could not read it again: say what the save answered.
        }
      }
      setSaveProblem(caught instanceof ApiError ? { message: caught.message, violations: caught.violations } : { message: t('error.unexpected'), violations: [] });
      requestAnimationFrame(() => summary.current?.focus());
    } finally {
      setBusy(false);
    }
  }

  function reapply() {
    if (!conflict || !base) return;
    const { latest } = conflict;
    const next = rawOf(form, latest.data);
    for (const key of Object.keys(payload)) next[key] = raw[key];
    setRaw(next);
    setBase({ data: latest.data, version: latest.version });
    setConflict(undefined);
    setCheck(undefined);
    setAnnouncement(t('form.reapplied'));
  }

  function takeLatest() {
    if (!conflict) return;
    const { latest } = conflict;
    setRaw(rawOf(form, latest.data));
    setBase({ data: latest.data, version: latest.version });
    setConflict(undefined);
    setCheck(undefined);
    setRestored(false);
    setAnnouncement(t('form.discarded'));
  }

  function discard() {
    setRaw(rawOf(form, kase ? (base?.data ?? kase.data) : (start ?? {})));
    setRestored(false);
    setTouched(new Set());
    setAttempted(false);
    setSaveProblem(undefined);
    setAnnouncement(t('form.discarded'));
  }

  const context: SchemaFormContext = {
    prefix: PREFIX,
    program: program.key,
    raw,
    errors,
    editable,
    saved: base?.data ?? {},
    callScheme: variantField && typeof raw[variantField] === 'string' ? (raw[variantField] as string) : undefined,
    onChange: change,
    announce: setAnnouncement,
  };
  const variantEditable = !!variantField && (editable === '*' || editable.includes(variantField));
  const labels = (keys: string[]) => keys.map((key) => i18n.pick(fieldLabel(key))).join(t('list.separator'));
  const toFix = checkProblems.length;

  return (
    <form class="case-form" onSubmit={save} onFocusOut={blurred} noValidate>
      {restored && !conflict && (
        <div class="alert alert-warning">
          <p>{t('form.restored')}</p>
          <button type="button" class="button button-small" onClick={discard}>
            {kase ? t('edit.discard') : t('form.discard')}
          </button>
        </div>
      )}
      {conflict && (
        <div class="alert alert-error" ref={conflictBox} tabIndex={-1} role="alert">
          <p>{t('form.conflict')}</p>
          {conflict.theirs.length > 0 && <p>{t('form.conflictFields', { fields: labels(conflict.theirs) })}</p>}
          {conflict.both.length > 0 && <p>{t('form.conflictBoth', { fields: labels(conflict.both) })}</p>}
          <div class="buttons">
            <button type="button" class="button button-primary button-small" onClick={reapply}>
              {t('form.reapply')}
            </button>
            <button type="button" class="button button-small" onClick={takeLatest}>
              {t('form.useLatest')}
            </button>
          </div>
        </div>
      )}
      <div ref={summary} tabIndex={-1} role="alert" class="error-summary-region">
        {saveProblem && (
          <div class="alert alert-error error-summary">
            <p>
              <strong>{saveProblem.violations.length ? t('form.errorSummary') : saveProblem.message}</strong>
            </p>
            {saveProblems.length > 0 && <ProblemList problems={saveProblems} />}
          </div>
        )}
      </div>

      <p class="hint form-note">{editable === '*' ? t('form.requiredNote') : t('edit.someFields')}</p>

      {live && (
        <div class="check-summary">
          <p role="status" class={toFix ? 'check-count check-count-open' : 'check-count'}>
            {!check ? (checking ? t('form.checking') : '') : toFix === 0 ? t('form.readyToSubmit') : toFix === 1 ? t('form.toFixOne') : t('form.toFix', { count: toFix })}
          </p>
          {toFix > 0 && <ProblemList problems={checkProblems} />}
        </div>
      )}

      {variantField && variantEditable && (
        <ChoiceGroup
          id={controlId(PREFIX, variantField)}
          legend={i18n.pick(fieldLabel(variantField))}
          required
          hint={schema ? undefined : t('newCase.variant', { field: i18n.pick(fieldLabel(variantField)) })}
          choices={(form.variants?.options ?? []).map((option) => ({ value: option, label: optionLabel(variantField, option, i18n) }))}
          value={typeof raw[variantField] === 'string' ? (raw[variantField] as string) : undefined}
          onChange={(value) => change(variantField, value)}
          errors={errors.get(variantField)}
        />
      )}

      {schema && <SchemaFields schema={schema} context={context} skip={variantEditable ? variantField : undefined} />}

      {!live && schema && kase === undefined && <p class="hint">{t('form.hintsNote')}</p>}

      <div class="buttons form-buttons">
        <button type="submit" class="button button-primary" aria-busy={busy}>
          {kase ? t('form.save') : t('form.saveDraft')}
        </button>
        <button type="button" class="button" onClick={onCancel}>
          {t('form.cancel')}
        </button>
      </div>
      <p class="visually-hidden" role="status">
        {busy ? t('form.saving') : announcement}
      </p>
    </form>
  );
}
