import { AdminFrame, adminPages } from '../components/admin-parts';
import { ADMIN_PATHS } from '../components/admin-paths';
import type { MessageKey } from '../i18n';
import { useI18n } from '../locale';
import { useSession } from '../session';

const INTROS: Record<string, MessageKey> = {
  [ADMIN_PATHS.users]: 'admin.usersIntro',
  [ADMIN_PATHS.organisations]: 'admin.organisationsIntro',
  [ADMIN_PATHS.calls]: 'admin.callsIntro',
  [ADMIN_PATHS.policy]: 'admin.policyIntro',
};

/** `/administration`: the administration pages this admin may use. */
export function AdminPage() {
  const { t } = useI18n();
  const { me } = useSession();
  return (
    <AdminFrame title={t('admin.title')} access="admin" menu={false}>
      <ul class="entries admin-index">
        {adminPages(me).map((page) => (
          <li key={page.href} class="card entry">
            <h2 class="entry-title">
              <a href={page.href}>{t(page.title)}</a>
            </h2>
            <p class="text">{t(INTROS[page.href])}</p>
          </li>
        ))}
      </ul>
    </AdminFrame>
  );
}
