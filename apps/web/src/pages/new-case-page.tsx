import { useLocation } from 'preact-iso/router';
import { CaseForm } from '../components/case-form';
import { ErrorPanel } from '../components/error-panel';
import { ChoiceGroup } from '../components/choice-group';
import { setFlash } from '../form/flash';
import { loadProgramForm } from '../form/program-forms';
import { useDocumentTitle, useResource } from '../hooks';
import { useI18n } from '../locale';
import { startablePrograms } from '../programs';
import { useSession } from '../session';

/**
 * `/cases/new?program=…&variant=…`: the programs the user's organisation may start, then the
 * program's variant (JICA's scheme) if it has one, then its form; saved as a draft, it leads to
 * the new case's page. The URL keeps the choice, so the way back from the login page leads here.
 */
export function NewCasePage() {
  const i18n = useI18n();
  const { t } = i18n;
  const { me, programs } = useSession();
  const { query, route } = useLocation();
  useDocumentTitle(t('newCase.title'));
  const startable = startablePrograms(programs, me);
  const chosen = startable.find((program) => program.key === query.program) ?? (startable.length === 1 ? startable[0] : undefined);
  const form = useResource((signal) => (chosen ? loadProgramForm(chosen.key) : Promise.resolve(undefined)), [chosen?.key]);
  const variantField = form.data?.variants?.field;

  return (
    <>
      <h1>{t('newCase.title')}</h1>
      <p class="lead">{t('newCase.intro')}</p>
      {startable.length === 0 ? (
        <p class="alert alert-warning">{t('newCase.noPrograms')}</p>
      ) : (
        <div class="card form-card">
          <ChoiceGroup
            id="new-program"
            legend={t('newCase.program')}
            required
            choices={startable.map((program) => ({ value: program.key, label: i18n.pick(program.title) }))}
            value={chosen?.key}
            onChange={(key) => route(`/cases/new?program=${encodeURIComponent(key)}`, true)}
          />
          {chosen && form.error && <ErrorPanel error={form.error} onRetry={form.reload} />}
          {chosen && !form.data && !form.error && (
            <p role="status" class="result-status">
              {t('form.loading')}
            </p>
          )}
          {chosen && form.data?.key === chosen.key && (
            <CaseForm
              key={chosen.key}
              program={chosen}
              form={form.data}
              editable="*"
              draftKey={`form:new:${chosen.key}`}
              start={variantField && query.variant ? { [variantField]: query.variant } : undefined}
              onSaved={(saved) => {
                setFlash(t('newCase.created'));
                route(`/cases/${encodeURIComponent(saved.id)}`);
              }}
              onCancel={() => route('/cases')}
            />
          )}
        </div>
      )}
    </>
  );
}
