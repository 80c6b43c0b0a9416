import { useState } from 'preact/hooks';
import { api } from '../api';
import { ErrorPanel } from '../components/error-panel';
import { useAdminForm } from '../components/admin-form';
import { AdminField, AdminFrame, AdminInput, isAdmin, SaveButtons } from '../components/admin-parts';
import { valueLabel } from '../field-labels';
import { useResource } from '../hooks';
import { useI18n } from '../locale';
import { useSession } from '../session';
import type { JicaCall } from '../types';

/** The JICA schemes applied for through a call (DOMAIN.md: all but the municipal grant aid). */
const CALL_SCHEMES = ['grassroots-regional', 'sme-basic-survey', 'sme-feasibility-survey', 'sme-verification', 'sdgs-business-survey'] as const;

type Field = 'scheme' | 'fiscalYear' | 'round' | 'opensAt' | 'closesAt';
const FIELDS: readonly Field[] = ['scheme', 'fiscalYear', 'round', 'opensAt', 'closesAt'];
type Values = Record<Field, string>;
const controlId = (field: Field) => `new-call-${field}`;

/** The fiscal year (April to March) of today in Japan. */
function currentFiscalYear(): number {
  const [year, month] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit' }).format(new Date()).split('-').map(Number);
  return month >= 4 ? year : year - 1;
}

/** A `datetime-local` value (`2026-04-01T09:00`), read as Japan time, as ISO 8601 with its offset. */
export function japanIso(local: string): string | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?$/.exec(local);
  return match ? `${match[1]}T${match[2]}${match[3] ?? ':00'}+09:00` : undefined;
}

function callState(call: JicaCall): 'open' | 'upcoming' | 'closed' {
  if (call.open) return 'open';
  return new Date(call.opensAt).getTime() > Date.now() ? 'upcoming' : 'closed';
}

/** `/administration/calls`: the JICA calls (anyone signed in); admins register new ones (DOMAIN.md: an admin registers calls). */
export function AdminCallsPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const { me } = useSession();
  const mayRegister = isAdmin(me);
  const list = useResource((signal) => api.calls({}, signal), [i18n.locale]);
  const [announcement, setAnnouncement] = useState('');
  const schemeTitle = (scheme: string) => {
    const label = valueLabel('scheme', scheme);
    return label ? i18n.pick(label) : scheme;
  };
  const labels: Record<Field, string> = {
    scheme: t('admin.calls.scheme'),
    fiscalYear: t('admin.calls.fiscalYear'),
    round: t('admin.calls.round'),
    opensAt: t('admin.calls.opensAt'),
    closesAt: t('admin.calls.closesAt'),
  };
  const integerCheck = (text: string, min: number, max: number) => {
    if (!text.trim()) return t('check.required');
    if (!/^\d+$/.test(text.trim())) return t('check.integer');
    const value = Number(text);
    return value < min ? t('check.minimum', { min }) : value > max ? t('check.maximum', { max }) : undefined;
  };
  const form = useAdminForm<Values, Field>({
    empty: { scheme: '', fiscalYear: String(currentFiscalYear()), round: '1', opensAt: '', closesAt: '' },
    fields: FIELDS,
    labels,
    controlId,
    draft: { key: 'admin:new-call', keep: (values) => values },
    check: (values) => {
      const opens = japanIso(values.opensAt);
      const closes = japanIso(values.closesAt);
      return {
        scheme: values.scheme ? undefined : t('check.choose'),
        fiscalYear: integerCheck(values.fiscalYear, 2000, 2100),
        round: integerCheck(values.round, 1, 12),
        opensAt: opens ? undefined : t('check.required'),
        closesAt: !closes ? t('check.required') : opens && new Date(closes) <= new Date(opens) ? t('admin.checkCloses') : undefined,
      };
    },
  });
  const { values, set, errors } = form;

  const dateTimeField = (field: 'opensAt' | 'closesAt') => (
    <AdminField id={controlId(field)} label={labels[field]} required hint={t('admin.calls.timeHint')} errors={errors.get(field)}>
      {(describedBy, invalid) => (
        <input
          id={controlId(field)}
          type="datetime-local"
          class="input-medium"
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          value={values[field]}
          onInput={(event) => set(field, event.currentTarget.value)}
        />
      )}
    </AdminField>
  );

  return (
    <AdminFrame title={t('admin.calls.title')} access="signed-in">
      <p class="lead">{t('admin.callsIntro')}</p>
      {list.error && <ErrorPanel error={list.error} onRetry={list.reload} />}
      <div role="status" class="result-status">
        {announcement || (list.loading && !list.data ? t('app.loading') : '')}
      </div>

      {list.data && (
        <div class="table-scroll">
          <table class="table admin-table">
            <caption>{t('admin.calls.caption', { count: list.data.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.calls.scheme')}</th>
                <th scope="col">{t('admin.calls.fiscalYear')}</th>
                <th scope="col">{t('admin.calls.round')}</th>
                <th scope="col">{t('admin.calls.opensAt')}</th>
                <th scope="col">{t('admin.calls.closesAt')}</th>
                <th scope="col">{t('admin.calls.status')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.length === 0 && (
                <tr>
                  <td colSpan={6}>{t('admin.calls.empty')}</td>
                </tr>
              )}
              {list.data.map((call) => {
                const state = callState(call);
                return (
                  <tr key={call.id}>
                    <th scope="row">{schemeTitle(call.scheme)}</th>
                    <td>{call.fiscalYearLabel ?? call.fiscalYear}</td>
                    <td class="nowrap">{t('admin.calls.roundValue', { round: call.round })}</td>
                    <td>
                      <time dateTime={call.opensAt}>{i18n.dateTime(call.opensAt)}</time>
                    </td>
                    <td>
                      <time dateTime={call.closesAt}>{i18n.dateTime(call.closesAt)}</time>
                    </td>
                    <td>
                      <span class={`badge ${state === 'open' ? 'badge-done' : state === 'upcoming' ? 'badge-upcoming' : 'badge-cancelled'}`}>{t(`admin.calls.${state}`)}</span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      {mayRegister ? (
        <form
          class="card admin-form admin-section"
          aria-labelledby="new-call-title"
          noValidate
          onSubmit={(event) =>
            form.submit(event, async (input) => {
              const call = await api.createCall({
                scheme: input.scheme,
                fiscalYear: Number(input.fiscalYear),
                round: Number(input.round),
                opensAt: japanIso(input.opensAt) as string,
                closesAt: japanIso(input.closesAt) as string,
              });
              form.reset();
              setAnnouncement(t('admin.calls.created', { scheme: schemeTitle(call.scheme), fiscalYear: call.fiscalYearLabel ?? call.fiscalYear, round: call.round }));
              void list.reload();
            })
          }
        >
          <h2 id="new-call-title">{t('admin.calls.new')}</h2>
          {form.restoredNotice}
          {form.summary}
          <AdminField id={controlId('scheme')} label={labels.scheme} required errors={errors.get('scheme')}>
            {(describedBy, invalid) => (
              <select
                id={controlId('scheme')}
                aria-describedby={describedBy}
                aria-invalid={invalid || undefined}
                value={values.scheme}
                onChange={(event) => set('scheme', event.currentTarget.value)}
              >
                <option value="">{t('form.choose')}</option>
                {CALL_SCHEMES.map((scheme) => (
                  <option key={scheme} value={scheme}>
                    {schemeTitle(scheme)}
                  </option>
                ))}
              </select>
            )}
          </AdminField>
          <AdminInput id={controlId('fiscalYear')} label={labels.fiscalYear} required hint={t('admin.calls.fiscalYearHint')} errors={errors.get('fiscalYear')} inputMode="numeric" width="short" value={values.fiscalYear} onValue={(value) => set('fiscalYear', value)} />
          <AdminInput id={controlId('round')} label={labels.round} required hint={t('admin.calls.roundHint')} errors={errors.get('round')} inputMode="numeric" width="short" value={values.round} onValue={(value) => set('round', value)} />
          {dateTimeField('opensAt')}
          {dateTimeField('closesAt')}
          <SaveButtons busy={form.busy} label={t('admin.calls.create')} />
        </form>
      ) : (
        <p class="hint admin-section">{t('admin.calls.adminsOnly')}</p>
      )}
    </AdminFrame>
  );
}
