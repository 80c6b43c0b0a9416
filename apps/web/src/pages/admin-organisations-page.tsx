import { useState } from 'preact/hooks';
import { api } from '../api';
import { ChoiceGroup } from '../components/choice-group';
import { ErrorPanel } from '../components/error-panel';
import { useAdminForm } from '../components/admin-form';
import { AdminField, AdminFrame, AdminInput, isForbidden, SaveButtons } from '../components/admin-parts';
import { ADMIN_PATHS } from '../components/admin-paths';
import { useResource } from '../hooks';
import type { MessageKey } from '../i18n';
import { useI18n } from '../locale';
import type { Organisation, PublicOrganisationKind } from '../types';

const KINDS: readonly PublicOrganisationKind[] = ['prefecture', 'municipality', 'association'];
const CODE = /^[A-Za-z0-9]{1,12}$/;

type Field = 'name' | 'kind' | 'code';
const FIELDS: readonly Field[] = ['name', 'kind', 'code'];
interface Values {
  name: string;
  kind: PublicOrganisationKind | '';
  code: string;
}
const EMPTY: Values = { name: '', kind: '', code: '' };
const controlId = (field: Field) => `new-organisation-${field}`;

function kindKey(kind: string): MessageKey | undefined {
  return kind === 'prefecture' || kind === 'municipality' || kind === 'association' || kind === 'operator' ? `admin.kind.${kind}` : undefined;
}

/** `/administration/organisations` (system operators): every organisation, and registering a new one. */
export function AdminOrganisationsPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const list = useResource((signal) => api.organisations(signal), []);
  const [created, setCreated] = useState<Organisation>();
  const labels: Record<Field, string> = { name: t('admin.organisations.name'), kind: t('admin.organisations.kind'), code: t('admin.organisations.code') };
  const form = useAdminForm<Values, Field>({
    empty: EMPTY,
    fields: FIELDS,
    labels,
    controlId,
    draft: { key: 'admin:new-organisation', keep: (values) => values },
    check: (values) => ({
      name: values.name.trim() ? undefined : t('check.required'),
      kind: values.kind ? undefined : t('check.choose'),
      code: !values.code.trim() ? t('check.required') : CODE.test(values.code.trim()) ? undefined : t('admin.checkCode'),
    }),
  });
  const { values, set, errors } = form;
  const kindTitle = (kind: string) => {
    const key = kindKey(kind);
    return key ? t(key) : kind;
  };

  return (
    <AdminFrame title={t('admin.organisations.title')} access="operator" forbidden={isForbidden(list.error)}>
      {list.error && <ErrorPanel error={list.error} onRetry={list.reload} />}
      <div role="status" class="result-status">
        {created ? t('admin.organisations.created', { name: created.name }) : list.loading && !list.data ? t('app.loading') : ''}
      </div>
      {created && (
        <p>
          <a href={`${ADMIN_PATHS.users}?organisation=${encodeURIComponent(created.id)}`}>{t('admin.organisations.addUsers', { name: created.name })}</a>
        </p>
      )}

      <form
        class="card admin-form admin-section"
        aria-labelledby="new-organisation-title"
        noValidate
        onSubmit={(event) =>
          form.submit(event, async (input) => {
            const organisation = await api.createOrganisation({ name: input.name.trim(), kind: input.kind as PublicOrganisationKind, code: input.code.trim() });
            form.reset();
            setCreated(organisation);
            void list.reload();
          })
        }
      >
        <h2 id="new-organisation-title">{t('admin.organisations.new')}</h2>
        {form.restoredNotice}
        {form.summary}
        <AdminInput id={controlId('name')} label={labels.name} required errors={errors.get('name')} width="medium" value={values.name} onValue={(value) => set('name', value)} />
        <ChoiceGroup
          id={controlId('kind')}
          legend={labels.kind}
          required
          choices={KINDS.map((kind) => ({ value: kind, label: kindTitle(kind) }))}
          value={values.kind || undefined}
          onChange={(kind) => set('kind', kind as PublicOrganisationKind)}
          errors={errors.get('kind')}
        />
        <AdminField id={controlId('code')} label={labels.code} required hint={t('admin.organisations.codeHint')} errors={errors.get('code')}>
          {(describedBy, invalid) => (
            <input
              id={controlId('code')}
              type="text"
              class="input-short"
              autocomplete="off"
              spellcheck={false}
              maxLength={12}
              aria-describedby={describedBy}
              aria-invalid={invalid || undefined}
              value={values.code}
              onInput={(event) => set('code', event.currentTarget.value)}
            />
          )}
        </AdminField>
        <SaveButtons busy={form.busy} label={t('admin.organisations.create')} />
      </form>

      {list.data && (
        <div class="table-scroll admin-section">
          <table class="table admin-table">
            <caption>{t('admin.organisations.caption', { count: list.data.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.organisations.name')}</th>
                <th scope="col">{t('admin.organisations.kind')}</th>
                <th scope="col">{t('admin.organisations.code')}</th>
                <th scope="col">{t('admin.organisations.registered')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((organisation) => (
                <tr key={organisation.id}>
                  <th scope="row">
                    <a href={`${ADMIN_PATHS.users}?organisation=${encodeURIComponent(organisation.id)}`}>{organisation.name}</a>
                  </th>
                  <td>{kindTitle(organisation.kind)}</td>
                  <td class="nowrap">{organisation.code}</td>
                  <td class="nowrap">
                    <time dateTime={organisation.createdAt}>{i18n.date(organisation.createdAt)}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </AdminFrame>
  );
}
