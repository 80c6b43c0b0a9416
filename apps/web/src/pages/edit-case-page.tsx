import { useRoute, useLocation } from 'preact-iso/router';
import { api } from '../api';
import { StateBadge } from '../components/badges';
import { CaseForm } from '../components/case-form';
import { CaseNotFound, ErrorPanel } from '../components/error-panel';
import { setFlash } from '../form/flash';
import { editableFields, loadProgramForm } from '../form/program-forms';
import { useDocumentTitle, useResource } from '../hooks';
import { useI18n } from '../locale';
import { stateTitle } from '../programs';
import { useSession } from '../session';

/** `/cases/:id/edit`: the case's form filled with its data, the fields the user may change now editable. */
export function EditCasePage() {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const { params } = useRoute();
  const { route } = useLocation();
  const caseId = params.id;
  const { me, programs } = useSession();
  const kase = useResource((signal) => api.case(caseId, signal), [caseId, locale]);
  const data = kase.data;
  const program = data && programs.get(data.program);
  const form = useResource(() => (data ? loadProgramForm(data.program) : Promise.resolve(undefined)), [data?.program]);
  const title = data ? t('edit.title', { title: data.title || t('edit.untitled') }) : undefined;
  useDocumentTitle(title ?? (kase.error?.status === 404 ? t('case.notFound') : undefined));
  const caseUrl = `/cases/${encodeURIComponent(caseId)}`;

  if (kase.error?.status === 404) return <CaseNotFound />;
  const error = kase.error ?? form.error;
  if (!data || !program || !form.data) {
    return error ? (
      <ErrorPanel error={error} onRetry={kase.error ? kase.reload : form.reload} />
    ) : (
      <p role="status" class="result-status">
        {t('app.loading')}
      </p>
    );
  }
  const editable = editableFields(form.data, data, me);
  const allowed = editable === '*' || editable.length > 0;

  return (
    <>
      <p class="entry-kicker">{i18n.pick(program.title)}</p>
      <h1>{title}</h1>
      <dl class="meta meta-summary">
        <div>
          <dt>{t('field.state')}</dt>
          <dd>
            <StateBadge title={stateTitle(program, data.state, i18n)} />
          </dd>
        </div>
      </dl>
      <p>
        <a href={caseUrl}>{t('edit.back')}</a>
      </p>
      {allowed ? (
        <div class="card form-card">
          <CaseForm
            key={data.id}
            program={program}
            form={form.data}
            kase={data}
            editable={editable}
            draftKey={`form:edit:${data.id}`}
            onSaved={() => {
              setFlash(t('edit.saved'));
              route(caseUrl);
            }}
            onCancel={() => route(caseUrl)}
            reload={async () => {
              const latest = await api.case(caseId);
              kase.set(latest);
              return latest;
            }}
          />
        </div>
      ) : (
        // Anything typed before stays in the session's draft, for when the case can be edited again.
        <p class="alert alert-warning">{t('edit.notAllowed')}</p>
      )}
    </>
  );
}
