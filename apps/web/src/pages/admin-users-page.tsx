import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso/router';
import { api } from '../api';
import { ErrorPanel } from '../components/error-panel';
import { AdminFrame, isForbidden, isOperator } from '../components/admin-parts';
import { ADMIN_PATHS } from '../components/admin-paths';
import { localeTitle, roleTitle, UserCreateForm, UserEditor } from '../components/admin-users';
import { useResource } from '../hooks';
import { useI18n } from '../locale';
import { useSession } from '../session';
import type { User } from '../types';

/**
 * `/administration/users[?organisation=…]`: the users of the admin's organisation (a system operator picks
 * the organisation, or sees all), one user's editor, and the form for a new user.
 */
export function AdminUsersPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const { me } = useSession();
  const { query, route } = useLocation();
  const operator = isOperator(me);
  const organisationId = operator ? query.organisation || undefined : undefined;
  const organisations = useResource((signal) => (operator ? api.organisations(signal) : Promise.resolve(undefined)), [operator]);
  const users = useResource((signal) => api.users(organisationId, signal), [organisationId]);
  const [editing, setEditing] = useState<string>();
  const [announcement, setAnnouncement] = useState('');

  const names = new Map((organisations.data ?? []).map((organisation) => [organisation.id, organisation.name]));
  const editedUser = users.data?.find((user) => user.id === editing);

  function saved(user: User, message: string) {
    if (users.data) users.set(users.data.map((item) => (item.id === user.id ? user : item)));
    setAnnouncement(message);
  }

  function created(user: User, message: string) {
    setAnnouncement(message);
    if (!organisationId || user.organisationId === organisationId) void users.reload();
  }

  return (
    <AdminFrame title={t('admin.users.title')} access="admin" forbidden={isForbidden(users.error)}>
      <p class="lead">{operator ? t('admin.users.operatorHint') : t('admin.users.own', { organisation: me.organisation.name })}</p>
      {operator && (
        <div class="field admin-filter">
          <label for="users-organisation">{t('admin.organisation')}</label>
          <select
            id="users-organisation"
            class="input-medium"
            value={organisationId ?? ''}
            onChange={(event) => {
              setEditing(undefined);
              const value = event.currentTarget.value;
              route(value ? `${ADMIN_PATHS.users}?organisation=${encodeURIComponent(value)}` : ADMIN_PATHS.users, true);
            }}
          >
            <option value="">{t('admin.allOrganisations')}</option>
            {(organisations.data ?? []).map((organisation) => (
              <option key={organisation.id} value={organisation.id}>
                {organisation.name}（{organisation.code}）
              </option>
            ))}
          </select>
        </div>
      )}
      {organisations.error && <ErrorPanel error={organisations.error} onRetry={organisations.reload} />}
      {users.error && <ErrorPanel error={users.error} onRetry={users.reload} />}
      <div role="status" class="result-status">
        {announcement || (users.loading && !users.data ? t('app.loading') : '')}
      </div>

      {users.data && (
        <div class="table-scroll">
          <table class="table admin-table">
            <caption>{t('admin.users.caption', { count: users.data.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.users.name')}</th>
                <th scope="col">{t('admin.users.email')}</th>
                {operator && <th scope="col">{t('admin.organisation')}</th>}
                <th scope="col">{t('admin.users.roles')}</th>
                <th scope="col">{t('admin.users.locale')}</th>
                <th scope="col">{t('admin.users.status')}</th>
                <th scope="col">{t('admin.users.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {users.data.length === 0 && (
                <tr>
                  <td colSpan={operator ? 7 : 6}>{t('admin.users.empty')}</td>
                </tr>
              )}
              {users.data.map((user) => (
                <tr key={user.id} class={user.disabled ? 'row-disabled' : undefined}>
                  <th scope="row">
                    {user.name}
                    {user.id === me.id && t('admin.you')}
                  </th>
                  <td class="nowrap">{user.email}</td>
                  {operator && <td>{names.get(user.organisationId) ?? ''}</td>}
                  <td>{user.roles.map((role) => roleTitle(role, i18n)).join(t('list.separator'))}</td>
                  <td>{localeTitle(user.locale, i18n)}</td>
                  <td>
                    <span class={`badge ${user.disabled ? 'badge-cancelled' : 'badge-done'}`}>{t(user.disabled ? 'admin.users.disabled' : 'admin.users.active')}</span>
                  </td>
                  <td>
                    <button
                      type="button"
                      class="button button-small"
                      // The visible word first, then whose (label in name): 編集：沖縄県 担当.
                      aria-label={`${t('admin.users.edit')}${t('list.colon')}${user.name}`}
                      aria-expanded={editing === user.id}
                      aria-controls={editing === user.id ? 'user-editor' : undefined}
                      onClick={() => {
                        setAnnouncement('');
                        setEditing(editing === user.id ? undefined : user.id);
                        requestAnimationFrame(() => document.getElementById('edit-user-title')?.scrollIntoView({ block: 'start' }));
                      }}
                    >
                      {t('admin.users.edit')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {editedUser && (
        <div id="user-editor" class="admin-section">
          <UserEditor key={editedUser.id} user={editedUser} self={editedUser.id === me.id} onSaved={saved} onClose={() => setEditing(undefined)} />
        </div>
      )}

      {(!operator || organisations.data) && (
        <div class="admin-section">
          <UserCreateForm
            key={organisationId ?? 'all'}
            organisations={operator ? (organisations.data ?? []).filter((organisation) => organisation.kind !== 'operator' || organisation.id === me.organisation.id) : undefined}
            organisationId={operator ? (organisationId ?? '') : me.organisationId}
            onCreated={created}
          />
        </div>
      )}
    </AdminFrame>
  );
}
