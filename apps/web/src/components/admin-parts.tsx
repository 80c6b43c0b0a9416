import type { ComponentChildren, RefObject } from 'preact';
import { useLocation } from 'preact-iso/router';
import { ApiError } from '../api';
import { useDocumentTitle } from '../hooks';
import type { MessageKey } from '../i18n';
import { useI18n } from '../locale';
import { useSession } from '../session';
import type { Locale, Me, Violation } from '../types';
import { messagesByField } from '../form/server-messages';
import { ADMIN_PATHS } from './admin-paths';
import { describedByOf, FieldDescription, focusField, RequiredMark } from './field-parts';

/** An administrator of their own organisation (or, in the operator organisation, of every one). */
export function isAdmin(me: Me): boolean {
  return me.roles.includes('admin');
}

/** A system operator: an admin of the operator organisation (the API's `OperatorOnly`). */
export function isOperator(me: Me): boolean {
  return isAdmin(me) && me.organisation.kind === 'operator';
}

export type AdminAccess = 'admin' | 'operator' | 'signed-in';

const PAGES: { href: string; title: MessageKey; operatorOnly?: boolean }[] = [
  { href: ADMIN_PATHS.users, title: 'admin.users.title' },
  { href: ADMIN_PATHS.organisations, title: 'admin.organisations.title', operatorOnly: true },
  { href: ADMIN_PATHS.calls, title: 'admin.calls.title' },
  { href: ADMIN_PATHS.policy, title: 'admin.policy.title' },
];

/** The administration pages this user may open, with their titles and descriptions. */
export function adminPages(me: Me): { href: string; title: MessageKey }[] {
  return PAGES.filter((page) => !page.operatorOnly || isOperator(me));
}

/** The administration pages' own menu (only for admins). */
function AdminMenu() {
  const { t } = useI18n();
  const { me } = useSession();
  const { path } = useLocation();
  return (
    <nav class="admin-menu" aria-label={t('admin.menu')}>
      <ul>
        {adminPages(me).map((page) => (
          <li key={page.href}>
            <a href={page.href} aria-current={path === page.href ? 'page' : undefined}>
              {t(page.title)}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** "Not allowed": a clear page rather than a crash or an empty table. */
export function Forbidden({ operator }: { operator?: boolean }) {
  const { t } = useI18n();
  useDocumentTitle(t('admin.forbiddenTitle'));
  return (
    <>
      <h1>{t('admin.forbiddenTitle')}</h1>
      <div class="alert alert-warning" role="alert">
        <p>{t(operator ? 'admin.forbiddenOperator' : 'admin.forbiddenBody')}</p>
      </div>
      <p>
        <a href="/">{t('case.backToInbox')}</a>
      </p>
    </>
  );
}

/**
 * An administration page: its title, the administration menu, and the "not allowed" page for
 * those without the role (the API answers them 403 anyway; `forbidden` passes such an answer on).
 */
export function AdminFrame(props: { title: string; access: AdminAccess; forbidden?: boolean; menu?: boolean; children: ComponentChildren }) {
  const { me } = useSession();
  useDocumentTitle(props.title);
  const allowed = props.access === 'signed-in' || (props.access === 'operator' ? isOperator(me) : isAdmin(me));
  if (!allowed || props.forbidden) return <Forbidden operator={props.access === 'operator'} />;
  return (
    <>
      <h1>{props.title}</h1>
      {isAdmin(me) && props.menu !== false && <AdminMenu />}
      {props.children}
    </>
  );
}

/** A 403 answer: the page shows the "not allowed" page for it. */
export function isForbidden(error: ApiError | undefined): boolean {
  return error?.status === 403;
}

/** A control's label, hint and messages, wired up as schema-form.tsx does it. */
export function AdminField(props: {
  id: string;
  label: string;
  required?: boolean;
  hint?: string;
  errors?: readonly string[];
  children(describedBy: string | undefined, invalid: boolean): ComponentChildren;
}) {
  const { id, label, required, hint, errors = [] } = props;
  return (
    <div class={`field${errors.length ? ' field-invalid' : ''}`}>
      <label for={id}>
        {label}
        {required && <RequiredMark />}
      </label>
      <FieldDescription id={id} hint={hint} errors={errors} />
      {props.children(describedByOf(id, errors.length > 0, hint), errors.length > 0)}
    </div>
  );
}

/** An AdminField holding one text-like input, the usual field of the admin forms. */
export function AdminInput(props: {
  id: string;
  label: string;
  required?: boolean;
  hint?: string;
  errors?: readonly string[];
  value: string;
  onValue(value: string): void;
  type?: 'text' | 'password';
  inputMode?: 'numeric' | 'email';
  width?: 'short' | 'medium' | 'long';
  autocomplete?: string;
}) {
  const { value, onValue, type = 'text', inputMode, width, autocomplete = 'off', ...field } = props;
  return (
    <AdminField {...field}>
      {(describedBy, invalid) => (
        <input
          id={field.id}
          // Preact's types narrow each input by its type literal; both kinds take the same attributes here.
          type={type as 'text'}
          inputMode={inputMode}
          class={width ? `input-${width}` : undefined}
          autocomplete={autocomplete}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          value={value}
          onInput={(event) => onValue(event.currentTarget.value)}
        />
      )}
    </AdminField>
  );
}

/** An admin form's submit button (busy while it saves), any other buttons, and the "saving" announcement. */
export function SaveButtons(props: { busy: boolean; label: string; children?: ComponentChildren }) {
  const { t } = useI18n();
  return (
    <>
      <div class="buttons form-buttons">
        <button type="submit" class="button button-primary" aria-busy={props.busy}>
          {props.label}
        </button>
        {props.children}
      </div>
      <p class="visually-hidden" role="status">
        {props.busy ? t('form.saving') : ''}
      </p>
    </>
  );
}

/** A failed save: the message, and each problem with a link to its field. */
export interface Problem {
  message: string;
  violations: Violation[];
}

export function problemOf(caught: unknown, fallback: string): Problem {
  return caught instanceof ApiError ? { message: caught.message, violations: caught.violations } : { message: fallback, violations: [] };
}

/**
 * The server's messages by form field: one that starts with the field's key (`code は既に…`)
 * names the field by its label instead. Messages of fields the form does not have go to `other`.
 */
export function serverMessages<F extends string>(violations: readonly Violation[], labels: Record<F, string>, locale: Locale): { byField: Map<F, string[]>; other: string[] } {
  const fieldOf = (violation: Violation) => {
    const name = violation.field.split('.').at(-1) ?? '';
    return Object.hasOwn(labels, name) ? (name as F) : undefined;
  };
  return messagesByField(violations, fieldOf, (field) => labels[field], locale);
}

/**
 * The error summary at the top of a form: focused after a failed save, a link to each field with
 * its message, and the problems that belong to no field.
 */
export function ErrorSummary<F extends string>(props: {
  summaryRef: RefObject<HTMLDivElement | null>;
  show: boolean;
  problem: Problem | undefined;
  fields: readonly F[];
  labels: Record<F, string>;
  errors: Map<F, string[]>;
  other: readonly string[];
  controlId(field: F): string;
}) {
  const { t } = useI18n();
  const { summaryRef, show, problem, fields, labels, errors, other, controlId } = props;
  const shown = fields.filter((field) => errors.has(field));
  return (
    <div ref={summaryRef} tabIndex={-1} role="alert" class="error-summary-region">
      {show && (
        <div class="alert alert-error error-summary">
          <p>
            <strong>{problem && !problem.violations.length ? problem.message : t('admin.errorSummary')}</strong>
          </p>
          {(shown.length > 0 || other.length > 0) && (
            <ul class="problem-list">
              {shown.map((field) => (
                <li key={field}>
                  <a href={`#${controlId(field)}`} onClick={(event) => focusField(event, controlId(field))}>
                    {labels[field]}
                  </a>
                  {t('list.colon')}
                  {(errors.get(field) ?? []).join(' ')}
                </li>
              ))}
              {other.map((message, index) => (
                <li key={`other-${index}`}>{message}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
