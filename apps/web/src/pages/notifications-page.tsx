import { useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { ErrorPanel } from '../components/error-panel';
import { useDocumentTitle, useResource } from '../hooks';
import { useI18n } from '../locale';
import { useSession } from '../session';
import type { MessageKey } from '../i18n';
import type { AppNotification } from '../types';

/** What a notification is (DOMAIN.md Notifications), said before its date. */
const KIND_KEYS: Record<string, MessageKey> = {
  'action-needed': 'notifications.kind.action-needed',
  decision: 'notifications.kind.decision',
  reminder: 'notifications.kind.reminder',
  escalation: 'notifications.kind.escalation',
  'survey-invitation': 'notifications.kind.survey-invitation',
};

export function NotificationsPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const { setUnread } = useSession();
  useDocumentTitle(t('notifications.title'));
  const list = useResource((signal) => api.notifications({ signal }), []);
  const [announcement, setAnnouncement] = useState('');
  const [failure, setFailure] = useState<ApiError>();

  async function markRead(notification: AppNotification) {
    if (!list.data || notification.readAt) return;
    setFailure(undefined);
    try {
      await api.markRead(notification);
    } catch (caught) {
      if (caught instanceof ApiError) setFailure(caught);
      return;
    }
    const readAt = new Date().toISOString();
    const items = list.data.items.map((item) => (item.id === notification.id ? { ...item, readAt } : item));
    const unread = items.filter((item) => !item.readAt).length;
    list.set({ items, unread });
    setUnread(unread);
    setAnnouncement(t('notifications.markedRead', { title: notification.title }));
  }

  const items = list.data?.items;
  return (
    <>
      <h1>{t('notifications.title')}</h1>
      {list.error && <ErrorPanel error={list.error} onRetry={list.reload} />}
      {failure && <ErrorPanel error={failure} />}
      <div role="status" class="result-status">
        {announcement ||
          (items ? (items.length ? t('notifications.unreadCount', { count: list.data?.unread ?? 0 }) : t('notifications.empty')) : list.loading ? t('app.loading') : '')}
      </div>
      {items && items.length > 0 && (
        <ul class="entries">
          {items.map((item) => (
            <li key={item.id} class={`card entry${item.readAt ? '' : ' entry-unread'}`}>
              <p class="entry-kicker">
                {!item.readAt && <span class="badge badge-unread">{t('notifications.unread')}</span>}
                {KIND_KEYS[item.kind] && (
                  <span class="notification-kind">
                    {t(KIND_KEYS[item.kind])}
                    {t('list.colon')}
                  </span>
                )}
                <time dateTime={item.createdAt}>{i18n.dateTime(item.createdAt)}</time>
              </p>
              <h2 class="entry-title">
                {/* Opening the case reads the notification. */}
                {item.caseId ? (
                  <a href={`/cases/${encodeURIComponent(item.caseId)}`} onClick={() => void markRead(item)}>
                    {item.title}
                  </a>
                ) : (
                  item.title
                )}
              </h2>
              <p class="text">{item.body}</p>
              {!item.readAt && (
                <button type="button" class="button button-small" onClick={() => void markRead(item)}>
                  {t('notifications.markRead')}
                  <span class="visually-hidden">
                    {t('list.colon')}
                    {item.title}
                  </span>
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
