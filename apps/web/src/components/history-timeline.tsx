import { fieldLabel } from '../field-labels';
import { useI18n } from '../locale';
import { actionTitle, stateTitle } from '../programs';
import type { HistoryEntry, Program } from '../types';
import { StateBadge } from './badges';
import { DataValue } from './case-data';

/** Every step of the case, oldest first: when, who, what, the comment and the changed fields. */
export function HistoryTimeline({ entries, program }: { entries: HistoryEntry[]; program: Program | undefined }) {
  const i18n = useI18n();
  const { t } = i18n;
  if (!entries.length) return <p>{t('case.noHistory')}</p>;
  return (
    <ol class="timeline">
      {entries.map((entry, index) => (
        <li key={index} class="timeline-entry">
          <p class="timeline-when">
            <time dateTime={entry.at}>{i18n.dateTime(entry.at)}</time>
          </p>
          <p class="timeline-what">
            <strong>{actionTitle(program, entry.action, i18n)}</strong>
            {entry.from !== entry.to && (
              <span class="transition">
                {/* Read as a sentence; the badges and arrow are the same for the eye. */}
                <span class="visually-hidden">
                  {entry.from
                    ? t('history.transition', { from: stateTitle(program, entry.from, i18n), to: stateTitle(program, entry.to, i18n) })
                    : t('history.started', { to: stateTitle(program, entry.to, i18n) })}
                </span>
                <span aria-hidden="true">
                  {entry.from && <StateBadge title={stateTitle(program, entry.from, i18n)} />} → <StateBadge title={stateTitle(program, entry.to, i18n)} />
                </span>
              </span>
            )}
          </p>
          <p class="timeline-who">
            {t('history.by')}
            {t('list.colon')}
            {entry.actor.kind === 'system' ? t('history.system') : (entry.actor.name ?? '—')}
          </p>
          {entry.comment && (
            <div class="comment">
              <p class="comment-label">{t('history.comment')}</p>
              <p class="text">{entry.comment}</p>
            </div>
          )}
          {entry.override && <p class="override">{t('history.override', { reason: entry.override.reason, rules: entry.override.rules.join(', ') })}</p>}
          {entry.changes.length > 0 && (
            <div class="changes">
              <p class="changes-label">{t('history.changes')}</p>
              <dl class="data-list">
                {entry.changes.map((change) => (
                  <div key={change.field}>
                    <dt>{i18n.pick(fieldLabel(change.field))}</dt>
                    <dd class="change">
                      <span class="visually-hidden">{t('history.before')}</span>
                      <DataValue field={change.field} value={change.before} />
                      <span aria-hidden="true"> → </span>
                      <span class="visually-hidden">{t('history.after')}</span>
                      <DataValue field={change.field} value={change.after} />
                    </dd>
                  </div>
                ))}
              </dl>
            </div>
          )}
        </li>
      ))}
    </ol>
  );
}
