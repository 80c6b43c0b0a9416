import { useRef, useState } from 'preact/hooks';
import { useI18n } from '../locale';
import { useSession } from '../session';
import type { Case, Deadline, Me, Program } from '../types';
import { DeadlineForm, hasDeadlineDraft } from './deadline-form';
import { DeadlineTable } from './deadline-table';

/** As the API decides (CasesService.addDeadline): staff and managers of the owning organisation, before a final state. */
export function canAddDeadline(kase: Case, program: Program | undefined, me: Me): boolean {
  if (kase.organisationId !== me.organisationId) return false;
  if (!me.roles.some((role) => role === 'staff' || role === 'manager')) return false;
  return !program?.states.find((state) => state.key === kase.state)?.terminal;
}

/** The due order of the case's deadlines, a new one among them. */
function withDeadline(deadlines: Deadline[], added: Deadline): Deadline[] {
  return [...deadlines.filter((deadline) => deadline.id !== added.id), added].sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt));
}

/** The case page's deadlines: the table, and for who may, the form to add a custom one. */
export function DeadlineSection({ kase, program, onChange }: { kase: Case; program: Program | undefined; onChange(updated: Case): void }) {
  const { t } = useI18n();
  const { me } = useSession();
  const allowed = canAddDeadline(kase, program, me);
  const [open, setOpen] = useState(() => allowed && hasDeadlineDraft(kase.id));
  const [announcement, setAnnouncement] = useState('');
  const opener = useRef<HTMLButtonElement>(null);

  function close() {
    setOpen(false);
    requestAnimationFrame(() => opener.current?.focus());
  }

  function added(deadline: Deadline) {
    onChange({ ...kase, deadlines: withDeadline(kase.deadlines, deadline) });
    setAnnouncement(t('deadlineForm.added', { title: deadline.title }));
    close();
  }

  return (
    <section class="section" aria-labelledby="deadlines-heading">
      <h2 id="deadlines-heading">{t('case.deadlines')}</h2>
      <div role="status">{announcement && <p class="alert alert-success">{announcement}</p>}</div>
      <DeadlineTable deadlines={kase.deadlines} />
      {allowed && (
        <>
          <p class="deadline-tools">
            <button
              type="button"
              class={`button${open ? ' button-primary' : ''}`}
              ref={opener}
              aria-expanded={open}
              aria-controls={open ? 'deadline-form' : undefined}
              onClick={() => {
                setAnnouncement('');
                setOpen(!open);
              }}
            >
              {t('deadlineForm.open')}
            </button>
          </p>
          {open && <DeadlineForm caseId={kase.id} onAdded={added} onClose={close} />}
        </>
      )}
    </section>
  );
}
