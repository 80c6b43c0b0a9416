import { useI18n } from '../locale';
import type { Deadline } from '../types';
import { reminderLabel, sortReminders } from '../form/deadline-reminders';
import { DeadlineBadge } from './badges';

export function DeadlineTable({ deadlines }: { deadlines: Deadline[] }) {
  const i18n = useI18n();
  const { t } = i18n;
  if (!deadlines.length) return <p>{t('case.noDeadlines')}</p>;
  return (
    <table class="table">
      <thead>
        <tr>
          <th scope="col">{t('deadline.title')}</th>
          <th scope="col">{t('deadline.dueAt')}</th>
          <th scope="col">{t('deadline.status')}</th>
          <th scope="col">{t('deadline.reminders')}</th>
        </tr>
      </thead>
      <tbody>
        {deadlines.map((deadline) => (
          <tr key={deadline.id} class={`deadline-${deadline.status}`}>
            <th scope="row">{deadline.title}</th>
            <td>
              <time dateTime={deadline.dueAt}>
                {deadline.allDay ? t('deadline.allDay', { date: i18n.date(deadline.dueAt) }) : i18n.dateTime(deadline.dueAt)}
              </time>
            </td>
            <td>
              <DeadlineBadge status={deadline.status} />
            </td>
            <td>
              {deadline.remindBefore.length
                ? sortReminders(deadline.remindBefore)
                    .map((value) => reminderLabel(value, t))
                    .join(t('list.separator'))
                : t('deadline.noReminders')}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
