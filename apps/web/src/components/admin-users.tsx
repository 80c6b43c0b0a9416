import { useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { useI18n, type I18n } from '../locale';
import type { Locale, Organisation, Role, User } from '../types';
import { ChoiceGroup } from './choice-group';
import { useAdminForm } from './admin-form';
import { AdminField, AdminInput, problemOf, SaveButtons, type Problem } from './admin-parts';
import { CheckboxGroup } from './field-parts';

export const ROLES: readonly Role[] = ['staff', 'manager', 'admin'];
const LOCALES: readonly Locale[] = ['ja', 'en'];

export function roleTitle(role: string, i18n: I18n): string {
  return (ROLES as readonly string[]).includes(role) ? i18n.t(`admin.role.${role as Role}`) : role;
}

export function localeTitle(locale: Locale, i18n: I18n): string {
  return i18n.t(`admin.locale.${locale}`);
}

function isEmail(text: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text);
}

// ---- Create a user ----

type NewUserField = 'organisationId' | 'email' | 'name' | 'password' | 'roles' | 'locale';
const NEW_USER_FIELDS: readonly NewUserField[] = ['organisationId', 'email', 'name', 'password', 'roles', 'locale'];
interface NewUserValues {
  organisationId: string;
  email: string;
  name: string;
  password: string;
  roles: Role[];
  locale: Locale;
}

/**
 * The roles and the language of a user, alike in the new-user and the edit form. `keepAdmin`: an
 * admin editing their own account cannot take away their admin role.
 */
function RolesAndLocale(props: {
  idOf(field: 'roles' | 'locale'): string;
  roles: Role[];
  locale: Locale;
  onRoles(roles: Role[]): void;
  onLocale(locale: Locale): void;
  errors: { roles?: readonly string[]; locale?: readonly string[] };
  keepAdmin?: boolean;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  return (
    <>
      <CheckboxGroup
        id={props.idOf('roles')}
        legend={t('admin.users.roles')}
        required
        hint={t('admin.users.rolesHint')}
        choices={ROLES.map((role) => ({ value: role, label: roleTitle(role, i18n), disabled: props.keepAdmin && role === 'admin' }))}
        values={props.roles}
        onChange={(roles) => props.onRoles(roles as Role[])}
        errors={props.errors.roles}
      />
      <ChoiceGroup
        id={props.idOf('locale')}
        legend={t('admin.users.locale')}
        required
        choices={LOCALES.map((locale) => ({ value: locale, label: localeTitle(locale, i18n) }))}
        value={props.locale}
        onChange={(locale) => props.onLocale(locale as Locale)}
        errors={props.errors.locale}
      />
    </>
  );
}

const newUserId = (field: NewUserField) => `new-user-${field}`;

/**
 * Creates a user: in the admin's organisation, or (a system operator) in the organisation chosen.
 * The initial password is sent once and never kept in the draft or shown again.
 */
export function UserCreateForm(props: { organisations?: Organisation[]; organisationId: string; onCreated(user: User, message: string): void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { organisations } = props;
  const labels: Record<NewUserField, string> = {
    organisationId: t('admin.organisation'),
    email: t('admin.users.email'),
    name: t('admin.users.name'),
    password: t('admin.users.password'),
    roles: t('admin.users.roles'),
    locale: t('admin.users.locale'),
  };
  const empty: NewUserValues = { organisationId: props.organisationId, email: '', name: '', password: '', roles: ['staff'], locale: 'ja' };
  const form = useAdminForm<NewUserValues, NewUserField>({
    empty,
    fields: NEW_USER_FIELDS,
    labels,
    controlId: newUserId,
    draft: { key: 'admin:new-user', keep: ({ password: _password, ...rest }) => rest },
    check: (values) => ({
      organisationId: values.organisationId ? undefined : t('check.choose'),
      email: !values.email.trim() ? t('check.required') : isEmail(values.email.trim()) ? undefined : t('check.email'),
      name: values.name.trim() ? undefined : t('check.required'),
      password: !values.password ? t('check.required') : values.password.length < 12 ? t('check.minLength', { min: 12 }) : undefined,
      roles: values.roles.length ? undefined : t('admin.checkRoles'),
    }),
  });
  const { values, set, errors } = form;

  return (
    <form class="card admin-form" aria-labelledby="new-user-title" noValidate onSubmit={(event) =>
      form.submit(event, async (input) => {
        const user = await api.createUser({ ...input, email: input.email.trim(), name: input.name.trim(), roles: ROLES.filter((role) => input.roles.includes(role)) });
        form.reset({ ...empty, organisationId: input.organisationId });
        props.onCreated(user, t('admin.users.created', { name: user.name, email: user.email }));
      })
    }>
      <h2 id="new-user-title">{t('admin.users.new')}</h2>
      {form.restoredNotice}
      {form.summary}
      {organisations && (
        <AdminField id={newUserId('organisationId')} label={labels.organisationId} required errors={errors.get('organisationId')}>
          {(describedBy, invalid) => (
            <select
              id={newUserId('organisationId')}
              class="input-medium"
              aria-describedby={describedBy}
              aria-invalid={invalid || undefined}
              value={values.organisationId}
              onChange={(event) => set('organisationId', event.currentTarget.value)}
            >
              <option value="">{t('form.choose')}</option>
              {organisations.map((organisation) => (
                <option key={organisation.id} value={organisation.id}>
                  {organisation.name}（{organisation.code}）
                </option>
              ))}
            </select>
          )}
        </AdminField>
      )}
      <AdminField id={newUserId('email')} label={labels.email} required hint={t('form.hint.email')} errors={errors.get('email')}>
        {(describedBy, invalid) => (
          <input
            id={newUserId('email')}
            type="email"
            autocomplete="off"
            spellcheck={false}
            aria-describedby={describedBy}
            aria-invalid={invalid || undefined}
            value={values.email}
            onInput={(event) => set('email', event.currentTarget.value)}
          />
        )}
      </AdminField>
      <AdminInput id={newUserId('name')} label={labels.name} required errors={errors.get('name')} width="medium" value={values.name} onValue={(value) => set('name', value)} />
      <AdminInput id={newUserId('password')} label={labels.password} required hint={t('admin.users.passwordHint')} errors={errors.get('password')} type="password" width="medium" autocomplete="new-password" value={values.password} onValue={(value) => set('password', value)} />
      <RolesAndLocale
        idOf={newUserId}
        roles={values.roles}
        locale={values.locale}
        onRoles={(roles) => set('roles', roles)}
        onLocale={(locale) => set('locale', locale)}
        errors={{ roles: errors.get('roles'), locale: errors.get('locale') }}
      />
      <SaveButtons busy={form.busy} label={t('admin.users.create')} />
    </form>
  );
}

// ---- Edit a user ----

type EditField = 'name' | 'roles' | 'locale';
const EDIT_FIELDS: readonly EditField[] = ['name', 'roles', 'locale'];
interface EditValues {
  name: string;
  roles: Role[];
  locale: Locale;
}

const editId = (field: EditField) => `edit-user-${field}`;

/**
 * Name, roles and language of one user, a new password, and disabling or enabling the account
 * (after a confirmation: disabling ends the user's sessions at once). Only what changed is sent: changing
 * roles also ends the user's sessions, so the admin's own admin role cannot be taken away here.
 */
export function UserEditor(props: { user: User; self: boolean; onSaved(user: User, message: string): void; onClose(): void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { user, self } = props;
  const labels: Record<EditField, string> = { name: t('admin.users.name'), roles: t('admin.users.roles'), locale: t('admin.users.locale') };
  const form = useAdminForm<EditValues, EditField>({
    empty: { name: user.name, roles: [...user.roles], locale: user.locale },
    fields: EDIT_FIELDS,
    labels,
    controlId: editId,
    check: (values) => ({
      name: values.name.trim() ? undefined : t('check.required'),
      roles: values.roles.length ? undefined : t('admin.checkRoles'),
    }),
  });
  const { values, set, errors } = form;
  const [confirming, setConfirming] = useState(false);
  const [accountBusy, setAccountBusy] = useState(false);
  const [accountProblem, setAccountProblem] = useState<Problem>();

  async function setDisabled(disabled: boolean) {
    if (accountBusy) return;
    setAccountBusy(true);
    setAccountProblem(undefined);
    try {
      const saved = await api.updateUser(user.id, { disabled });
      setConfirming(false);
      props.onSaved(saved, t(disabled ? 'admin.users.disabledDone' : 'admin.users.enabledDone', { name: saved.name }));
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 401) return;
      setAccountProblem(problemOf(caught, t('error.unexpected')));
    } finally {
      setAccountBusy(false);
    }
  }

  const sameRoles = (a: readonly Role[], b: readonly Role[]) => a.length === b.length && a.every((role) => b.includes(role));

  return (
    <section class="card admin-editor" aria-labelledby="edit-user-title">
      <h2 id="edit-user-title">{t('admin.users.editTitle', { name: user.name })}</h2>
      <p class="muted">{user.email}</p>
      <form
        class="admin-form-body"
        noValidate
        onSubmit={(event) =>
          form.submit(event, async (input) => {
            const name = input.name.trim();
            const roles = ROLES.filter((role) => input.roles.includes(role));
            const saved = await api.updateUser(user.id, {
              name: name === user.name ? undefined : name,
              roles: sameRoles(roles, user.roles) ? undefined : roles,
              locale: input.locale === user.locale ? undefined : input.locale,
            });
            form.reset({ name: saved.name, roles: [...saved.roles], locale: saved.locale });
            props.onSaved(saved, t('admin.users.saved', { name: saved.name }));
          })
        }
      >
        {form.summary}
        <AdminInput id={editId('name')} label={labels.name} required errors={errors.get('name')} width="medium" value={values.name} onValue={(value) => set('name', value)} />
        <RolesAndLocale
          idOf={editId}
          roles={values.roles}
          locale={values.locale}
          onRoles={(roles) => set('roles', roles)}
          onLocale={(locale) => set('locale', locale)}
          errors={{ roles: errors.get('roles'), locale: errors.get('locale') }}
          keepAdmin={self}
        />
        <SaveButtons busy={form.busy} label={t('admin.users.save')}>
          <button type="button" class="button" onClick={props.onClose}>
            {t('admin.users.close')}
          </button>
        </SaveButtons>
      </form>

      <PasswordReset user={user} self={self} onSaved={props.onSaved} />

      <div class="admin-account">
        <h3>{t('admin.users.account')}</h3>
        <p>{t(user.disabled ? 'admin.users.isDisabled' : 'admin.users.isActive')}</p>
        {accountProblem && (
          <div class="alert alert-error" role="alert">
            <p>{accountProblem.message}</p>
          </div>
        )}
        {self ? (
          <p class="hint">{t('admin.users.self')}</p>
        ) : user.disabled ? (
          <button type="button" class="button" aria-busy={accountBusy} onClick={() => void setDisabled(false)}>
            {t('admin.users.enable')}
          </button>
        ) : confirming ? (
          <div class="alert alert-warning" role="alert">
            <p>{t('admin.users.disableConfirm', { name: user.name })}</p>
            <div class="buttons">
              <button type="button" class="button button-danger" aria-busy={accountBusy} onClick={() => void setDisabled(true)}>
                {t('admin.users.disableYes')}
              </button>
              <button type="button" class="button" onClick={() => setConfirming(false)}>
                {t('action.cancel')}
              </button>
            </div>
          </div>
        ) : (
          <button type="button" class="button" onClick={() => setConfirming(true)}>
            {t('admin.users.disable')}
          </button>
        )}
      </div>
    </section>
  );
}

// ---- Reset a user's password ----

type ResetField = 'password';
const RESET_FIELDS: readonly ResetField[] = ['password'];
const resetId = (field: ResetField) => `reset-user-${field}`;

/**
 * A new initial password for the user, after a confirmation: a changed password ends every
 * session of the user. The password is cleared once saved, never kept in a draft or shown again.
 * Not for the admin's own account (it would sign them out in the middle of their work).
 */
function PasswordReset(props: { user: User; self: boolean; onSaved(user: User, message: string): void }) {
  const { t } = useI18n();
  const { user, self } = props;
  const labels: Record<ResetField, string> = { password: t('admin.users.newPassword') };
  const form = useAdminForm<{ password: string }, ResetField>({
    empty: { password: '' },
    fields: RESET_FIELDS,
    labels,
    controlId: resetId,
    check: (values) => ({
      password: !values.password ? t('check.required') : values.password.length < 12 ? t('check.minLength', { min: 12 }) : undefined,
    }),
  });
  const { values, set, errors } = form;
  const [confirming, setConfirming] = useState(false);
  const resetButton = useRef<HTMLButtonElement>(null);

  function stopConfirming() {
    setConfirming(false);
    requestAnimationFrame(() => resetButton.current?.focus());
  }

  if (self)
    return (
      <div class="admin-password">
        <h3>{t('admin.users.resetTitle')}</h3>
        <p class="hint">{t('admin.users.resetSelf')}</p>
      </div>
    );

  return (
    <form
      class="admin-password"
      aria-labelledby="reset-user-title"
      noValidate
      onSubmit={(event) =>
        // The first press checks the password and asks; the confirmation sends it.
        form.submit(event, async () => {
          setConfirming(true);
        })
      }
    >
      <h3 id="reset-user-title">{t('admin.users.resetTitle')}</h3>
          <p>{t('admin.users.resetIntro')}</p>
          {form.summary}
          <AdminInput
            id={resetId('password')}
            label={labels.password}
            required
            hint={t('admin.users.newPasswordHint')}
            errors={errors.get('password')}
            type="password"
            width="medium"
            autocomplete="new-password"
            value={values.password}
            onValue={(value) => {
              set('password', value);
              setConfirming(false);
            }}
          />
          {confirming ? (
            <div class="alert alert-warning" role="alert">
              <p>{t('admin.users.resetConfirm', { name: user.name })}</p>
              <div class="buttons">
                <button
                  type="button"
                  class="button button-danger"
                  aria-busy={form.busy}
                  onClick={(event) =>
                    form.submit(event, async (input) => {
                      const saved = await api.updateUser(user.id, { password: input.password });
                      form.reset();
                      stopConfirming();
                      props.onSaved(saved, t('admin.users.resetDone', { name: saved.name }));
                    })
                  }
                >
                  {t('admin.users.resetYes')}
                </button>
                <button type="button" class="button" onClick={stopConfirming}>
                  {t('action.cancel')}
                </button>
              </div>
            </div>
          ) : (
            <div class="buttons form-buttons">
              <button ref={resetButton} type="submit" class="button">
                {t('admin.users.reset')}
              </button>
            </div>
          )}
    </form>
  );
}
