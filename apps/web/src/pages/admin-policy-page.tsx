import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso/router';
import { api } from '../api';
import { ErrorPanel } from '../components/error-panel';
import { useAdminForm } from '../components/admin-form';
import { AdminField, AdminFrame, isForbidden, isOperator, SaveButtons } from '../components/admin-parts';
import { ADMIN_PATHS } from '../components/admin-paths';
import { useResource } from '../hooks';
import { useI18n } from '../locale';
import { useSession } from '../session';
import type { OrganisationPolicy } from '../types';

type Field = 'visitLeadTimeDays';
const FIELDS: readonly Field[] = ['visitLeadTimeDays'];
const controlId = (field: Field) => `policy-${field}`;

function PolicyForm({ organisationId, policy, onSaved }: { organisationId: string; policy: OrganisationPolicy; onSaved(policy: OrganisationPolicy): void }) {
  const { t } = useI18n();
  const labels: Record<Field, string> = { visitLeadTimeDays: t('admin.policy.days') };
  const form = useAdminForm<Record<Field, string>, Field>({
    empty: { visitLeadTimeDays: String(policy.visitLeadTimeDays) },
    fields: FIELDS,
    labels,
    controlId,
    check: ({ visitLeadTimeDays: text }) => {
      if (!text.trim()) return { visitLeadTimeDays: t('check.required') };
      if (!/^\d+$/.test(text.trim())) return { visitLeadTimeDays: t('check.integer') };
      return { visitLeadTimeDays: Number(text) > 365 ? t('check.maximum', { max: 365 }) : undefined };
    },
  });
  return (
    <form
      class="card admin-form"
      aria-labelledby="policy-form-title"
      noValidate
      onSubmit={(event) =>
        form.submit(event, async (input) => {
          const saved = await api.setPolicy(organisationId, { visitLeadTimeDays: Number(input.visitLeadTimeDays) });
          form.reset({ visitLeadTimeDays: String(saved.visitLeadTimeDays) });
          onSaved(saved);
        })
      }
    >
      <h2 id="policy-form-title">{t('admin.policy.title')}</h2>
      <p class="hint form-note">{t('admin.policy.intro')}</p>
      {form.summary}
      <AdminField id={controlId('visitLeadTimeDays')} label={labels.visitLeadTimeDays} required hint={t('admin.policy.daysHint')} errors={form.errors.get('visitLeadTimeDays')}>
        {(describedBy, invalid) => (
          <input
            id={controlId('visitLeadTimeDays')}
            type="text"
            inputMode="numeric"
            class="input-short"
            autocomplete="off"
            aria-describedby={describedBy}
            aria-invalid={invalid || undefined}
            value={form.values.visitLeadTimeDays}
            onInput={(event) => form.set('visitLeadTimeDays', event.currentTarget.value)}
          />
        )}
      </AdminField>
      <SaveButtons busy={form.busy} label={t('admin.policy.save')} />
    </form>
  );
}

/** `/administration/policy[?organisation=…]`: the organisation's lead time for ambassador visits (its admins; operators pick the organisation). */
export function AdminPolicyPage() {
  const { t } = useI18n();
  const { me } = useSession();
  const { query, route } = useLocation();
  const operator = isOperator(me);
  const organisationId = (operator && query.organisation) || me.organisationId;
  const organisations = useResource((signal) => (operator ? api.organisations(signal) : Promise.resolve(undefined)), [operator]);
  const policy = useResource((signal) => api.policy(organisationId, signal), [organisationId]);
  const [announcement, setAnnouncement] = useState('');

  return (
    <AdminFrame title={t('admin.policy.title')} access="admin" forbidden={isForbidden(policy.error)}>
      {operator ? (
        <div class="field admin-filter">
          <label for="policy-organisation">{t('admin.organisation')}</label>
          <select
            id="policy-organisation"
            class="input-medium"
            value={organisationId}
            onChange={(event) => {
              setAnnouncement('');
              route(`${ADMIN_PATHS.policy}?organisation=${encodeURIComponent(event.currentTarget.value)}`, true);
            }}
          >
            {(organisations.data ?? []).map((organisation) => (
              <option key={organisation.id} value={organisation.id}>
                {organisation.name}（{organisation.code}）
              </option>
            ))}
          </select>
        </div>
      ) : (
        <p class="lead">{me.organisation.name}</p>
      )}
      {policy.error && <ErrorPanel error={policy.error} onRetry={policy.reload} />}
      <div role="status" class="result-status">
        {announcement || (policy.loading && !policy.data ? t('app.loading') : '')}
      </div>
      {policy.data && !policy.loading && (
        <PolicyForm
          key={organisationId}
          organisationId={organisationId}
          policy={policy.data}
          onSaved={(saved) => {
            policy.set(saved);
            setAnnouncement(t('admin.policy.saved', { days: saved.visitLeadTimeDays }));
          }}
        />
      )}
    </AdminFrame>
  );
}
