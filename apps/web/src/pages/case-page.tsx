import { useState } from 'preact/hooks';
import { useRoute } from 'preact-iso/router';
import { api } from '../api';
import { StateBadge } from '../components/badges';
import { CaseActions } from '../components/case-actions';
import { DataList } from '../components/case-data';
import { DeadlineSection } from '../components/deadline-section';
import { CaseNotFound, ErrorPanel } from '../components/error-panel';
import { HistoryTimeline } from '../components/history-timeline';
import { StateDiagram } from '../components/state-diagram';
import { SurveySection } from '../components/survey-section';
import { readDraft, writeDraft } from '../drafts';
import { takeFlash } from '../form/flash';
import { canEdit, loadProgramForm } from '../form/program-forms';
import { useDocumentTitle, useResource } from '../hooks';
import { useI18n } from '../locale';
import { stateTitle } from '../programs';
import { useSession } from '../session';
import type { Case } from '../types';

/** Opened from the app, from mails and from calendar feeds: it loads everything itself. */
export function CasePage() {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const { params } = useRoute();
  const caseId = params.id;
  const { me, programs } = useSession();
  // "Draft saved." after the form, once.
  const [flash] = useState(takeFlash);
  const draftKey = `form:edit:${caseId}`;
  const [pendingEdit, setPendingEdit] = useState(() => readDraft(draftKey) !== '');
  const [notice, setNotice] = useState('');
  // fiscalYearLabel and deadline titles come localised: reload on a language change.
  const kase = useResource((signal) => api.case(caseId, signal), [caseId, locale]);
  const history = useResource((signal) => api.history(caseId, signal), [caseId]);
  const data = kase.data;
  const program = data && programs.get(data.program);
  // Who may edit what, per state and role, is the program form's (`editable`).
  const form = useResource(() => (data ? loadProgramForm(data.program) : Promise.resolve(undefined)), [data?.program]);
  const editable = !!data && !!form.data && canEdit(form.data, data, me);
  useDocumentTitle(data?.title ?? (kase.error?.status === 404 ? t('case.notFound') : undefined));

  if (kase.error?.status === 404) return <CaseNotFound />;
  if (!data) {
    return kase.error ? (
      <ErrorPanel error={kase.error} onRetry={kase.reload} />
    ) : (
      <p role="status" class="result-status">
        {t('app.loading')}
      </p>
    );
  }

  const reloadAll = () => Promise.all([kase.reload(), history.reload()]).then(() => undefined);
  const afterAction = (updated: Case) => {
    kase.set(updated);
    void history.reload();
  };

  return (
    <>
      <p class="entry-kicker">{program ? i18n.pick(program.title) : data.program}</p>
      <h1>{data.title}</h1>
      {kase.error && <ErrorPanel error={kase.error} onRetry={kase.reload} />}
      <div role="status">{(flash || notice) && <p class="alert alert-success">{notice || flash}</p>}</div>
      <dl class="meta meta-summary">
        <div>
          <dt>{t('field.state')}</dt>
          <dd>
            <StateBadge title={stateTitle(program, data.state, i18n)} />
          </dd>
        </div>
        {data.fiscalYearLabel && (
          <div>
            <dt>{t('field.fiscalYear')}</dt>
            <dd>{data.fiscalYearLabel}</dd>
          </div>
        )}
        <div>
          <dt>{t('field.createdAt')}</dt>
          <dd>
            <time dateTime={data.createdAt}>{i18n.dateTime(data.createdAt)}</time>
          </dd>
        </div>
        <div>
          <dt>{t('field.updatedAt')}</dt>
          <dd>
            <time dateTime={data.updatedAt}>{i18n.dateTime(data.updatedAt)}</time>
          </dd>
        </div>
      </dl>
      {pendingEdit && editable && (
        <div class="alert alert-warning">
          <p>{t('edit.pending')}</p>
          <div class="buttons">
            <a class="button button-small button-primary" href={`/cases/${encodeURIComponent(data.id)}/edit`}>
              {t('edit.continue')}
            </a>
            <button
              type="button"
              class="button button-small"
              onClick={() => {
                writeDraft(draftKey, '');
                setPendingEdit(false);
                setNotice(t('edit.discarded'));
              }}
            >
              {t('edit.discard')}
            </button>
          </div>
        </div>
      )}
      {editable && !pendingEdit && (
        <p class="case-tools">
          <a class="button" href={`/cases/${encodeURIComponent(data.id)}/edit`}>
            {t('edit.button')}
          </a>
        </p>
      )}

      {program && <CaseActions kase={data} program={program} onDone={afterAction} onStale={reloadAll} />}

      {data.program === 'governor-conference' && <SurveySection kase={data} />}

      {program && (
        <section class="section" aria-labelledby="diagram-heading">
          <h2 id="diagram-heading">{t('case.diagram')}</h2>
          <StateDiagram program={program} current={data.state} />
        </section>
      )}

      <DeadlineSection kase={data} program={program} onChange={kase.set} />

      <section class="section" aria-labelledby="data-heading">
        <h2 id="data-heading">{t('case.data')}</h2>
        {Object.keys(data.data).length ? <DataList data={data.data} /> : <p>{t('case.noData')}</p>}
      </section>

      {/* An invited organisation reads a conference's public fields, not its history (404). */}
      {history.error?.status !== 404 && (
        <section class="section" aria-labelledby="history-heading">
          <h2 id="history-heading">{t('case.history')}</h2>
          {history.error && <ErrorPanel error={history.error} onRetry={history.reload} />}
          {history.data ? <HistoryTimeline entries={history.data} program={program} /> : !history.error && <p>{t('app.loading')}</p>}
        </section>
      )}
    </>
  );
}
