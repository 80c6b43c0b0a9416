import { useI18n } from '../locale';
import type { DeadlineStatus } from '../types';

export function StateBadge({ title }: { title: string }) {
  return <span class="badge badge-state">{title}</span>;
}

/** The status in words with an icon; colour only repeats what the words say. */
const DEADLINE_ICONS: Record<DeadlineStatus, string> = { upcoming: '○', due: '!', overdue: '!!', done: '✓', cancelled: '–' };

export function DeadlineBadge({ status }: { status: DeadlineStatus }) {
  const { t } = useI18n();
  return (
    <span class={`badge badge-deadline badge-${status}`}>
      <span aria-hidden="true">{DEADLINE_ICONS[status]} </span>
      {t(`deadline.status.${status}`)}
    </span>
  );
}
