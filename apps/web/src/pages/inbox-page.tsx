import { api } from '../api';
import { DeadlineBadge, StateBadge } from '../components/badges';
import { ErrorPanel } from '../components/error-panel';
import { useDocumentTitle, useResource } from '../hooks';
import { useI18n } from '../locale';
import { actionTitle, startablePrograms } from '../programs';
import { useSession } from '../session';
import type { InboxItem } from '../types';

function InboxEntry({ item }: { item: InboxItem }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { programs } = useSession();
  const program = programs.get(item.program);
  const overdue = item.dueAt !== null && Date.parse(item.dueAt) < Date.now();
  return (
    <li class="card entry">
      <p class="entry-kicker">
        {item.programTitle}
        {item.kind === 'survey-response' && ` ・ ${t('inbox.survey')}`}
      </p>
      <h2 class="entry-title">
        <a href={`/cases/${encodeURIComponent(item.caseId)}`}>{item.title}</a>
      </h2>
      <dl class="meta">
        <div>
          <dt>{t('field.state')}</dt>
          <dd>
            <StateBadge title={item.stateTitle} />
          </dd>
        </div>
        <div>
          <dt>{t('field.todo')}</dt>
          <dd>{item.actions.map((key) => actionTitle(program, key, i18n)).join(t('list.separator'))}</dd>
        </div>
        <div>
          <dt>{t('field.due')}</dt>
          <dd>
            {item.dueAt ? (
              <>
                {item.dueTitle && <span class="due-title">{item.dueTitle}</span>}
                <time dateTime={item.dueAt}>{i18n.dateTime(item.dueAt)}</time>
                {overdue && (
                  <>
                    {' '}
                    <DeadlineBadge status="overdue" />
                  </>
                )}
              </>
            ) : (
              t('field.noDue')
            )}
          </dd>
        </div>
      </dl>
    </li>
  );
}

/** "New case", for users whose organisation may start a case of some program. */
export function NewCaseLink() {
  const { t } = useI18n();
  const { me, programs } = useSession();
  if (!startablePrograms(programs, me).length) return null;
  return (
    <a class="button button-primary" href="/cases/new">
      <span aria-hidden="true">＋ </span>
      {t('newCase.link')}
    </a>
  );
}

export function InboxPage() {
  const { t, locale } = useI18n();
  useDocumentTitle(t('inbox.title'));
  // Program and state titles come localised from the server: reload when the language changes.
  const inbox = useResource((signal) => api.inbox(signal), [locale]);
  const items = inbox.data?.items;

  return (
    <>
      <div class="page-head">
        <h1>{t('inbox.title')}</h1>
        <NewCaseLink />
      </div>
      <p class="lead">{t('inbox.intro')}</p>
      {inbox.error && <ErrorPanel error={inbox.error} onRetry={inbox.reload} />}
      <div role="status" class="result-status">
        {items ? (items.length ? t('inbox.count', { count: items.length }) : t('inbox.empty')) : inbox.loading ? t('app.loading') : ''}
      </div>
      {items && items.length > 0 && (
        <ul class="entries">
          {items.map((item) => (
            <InboxEntry key={`${item.kind}:${item.caseId}`} item={item} />
          ))}
        </ul>
      )}
    </>
  );
}
