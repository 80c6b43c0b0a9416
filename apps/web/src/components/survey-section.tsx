import { useState } from 'preact/hooks';
import { api } from '../api';
import { useResource } from '../hooks';
import type { I18n } from '../locale';
import { useI18n } from '../locale';
import { useSession } from '../session';
import type { Case, Survey, SurveyResponse } from '../types';
import { ErrorPanel } from './error-panel';
import { SurveyAnswerForm } from './survey-answer-form';
import { answerCells, NotApplicable, SurveyStatusBadge, surveyField, surveyValue } from './survey-parts';
import { SurveyResults } from './survey-results';

/** Who may answer for an invited organisation (the API's roles for the answer). */
const ANSWERING_ROLES = ['staff', 'manager'];

/** The organisation's current answer as a list: the status, and when attending what it said. */
function OwnAnswer({ response, i18n }: { response: SurveyResponse; i18n: I18n }) {
  const { t } = i18n;
  const cells = answerCells(response, i18n);
  return (
    <dl class="data-list survey-own">
      <div>
        <dt>{t('survey.answer')}</dt>
        <dd>
          <SurveyStatusBadge status={response.status} />
        </dd>
      </div>
      {response.status === 'attending' && (
        <>
          <div>
            <dt>{surveyField('attendeeLevel', i18n)}</dt>
            <dd>{cells.level ?? <NotApplicable />}</dd>
          </div>
          <div>
            <dt>{surveyField('delegationSize', i18n)}</dt>
            <dd>{cells.size ?? <NotApplicable />}</dd>
          </div>
          <div>
            <dt>{surveyField('joinsPromotion', i18n)}</dt>
            <dd>{cells.promotion ?? <NotApplicable />}</dd>
          </div>
        </>
      )}
      {response.answeredAt && (
        <div>
          <dt>{t('survey.answeredAt')}</dt>
          <dd>
            <time dateTime={response.answeredAt}>{i18n.dateTime(response.answeredAt)}</time>
          </dd>
        </div>
      )}
    </dl>
  );
}

/**
 * A governor conference's participation survey (DOMAIN.md §4) on its case page: the secretariat
 * (the API sends it the summary) sees every answer; an invited organisation sees its own and,
 * while the survey is open, answers or changes it. Anyone else gets 404 and no section.
 */
export function SurveySection({ kase }: { kase: Case }) {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const { me } = useSession();
  const [announcement, setAnnouncement] = useState('');
  const [closedProblem, setClosedProblem] = useState('');
  // Read again when the case moves (the secretariat opens or closes the survey from the actions).
  const survey = useResource((signal) => api.survey(kase.id, signal), [kase.id, kase.state, locale]);
  const data = survey.data;
  if (survey.error?.status === 404) return null;

  const own = data && !data.summary ? (data.responses.find((response) => response.organisationId === me.organisationId) ?? data.responses[0]) : undefined;
  const canAnswer = me.roles.some((role) => ANSWERING_ROLES.includes(role));

  function answered(current: Survey, response: SurveyResponse) {
    survey.set({ ...current, responses: current.responses.map((item) => (item.organisationId === response.organisationId ? response : item)) });
    setClosedProblem('');
    setAnnouncement(t('survey.sent', { answer: surveyValue('attendance', response.status, i18n) }));
  }

  async function closed(message: string) {
    setAnnouncement('');
    setClosedProblem(`${message} ${t('survey.closedNow')}`);
    await survey.reload();
  }

  return (
    <section class="section" aria-labelledby="survey-heading">
      <h2 id="survey-heading">{t('survey.title')}</h2>
      {survey.error && <ErrorPanel error={survey.error} onRetry={survey.reload} />}
      {!data ? (
        !survey.error && <p class="result-status">{t('app.loading')}</p>
      ) : (
        <>
          <dl class="meta meta-summary">
            <div>
              <dt>{t('survey.deadline')}</dt>
              <dd>{data.deadline ? <time dateTime={data.deadline}>{i18n.dateTime(data.deadline)}</time> : t('survey.noDeadline')}</dd>
            </div>
            <div>
              <dt>{t('survey.state')}</dt>
              <dd>{data.open ? t('survey.open') : t('survey.closed')}</dd>
            </div>
          </dl>
          <div role="status">{announcement && <p class="alert alert-success">{announcement}</p>}</div>
          <div role="alert">{closedProblem && <p class="alert alert-error">{closedProblem}</p>}</div>
          {data.summary ? (
            data.responses.length || data.open ? <SurveyResults survey={data} summary={data.summary} /> : <p>{t('survey.notStarted')}</p>
          ) : own ? (
            <>
              <h3>{t('survey.yourAnswer', { organisation: own.organisationName })}</h3>
              <OwnAnswer response={own} i18n={i18n} />
              {!data.open ? (
                <p class="alert alert-warning">{t('survey.closedNote')}</p>
              ) : canAnswer ? (
                <SurveyAnswerForm key={own.organisationId} caseId={kase.id} response={own} onAnswered={(response) => answered(data, response)} onClosed={closed} />
              ) : (
                <p>{t('survey.rolesNote')}</p>
              )}
            </>
          ) : (
            <p>{t('survey.notStarted')}</p>
          )}
        </>
      )}
    </section>
  );
}
