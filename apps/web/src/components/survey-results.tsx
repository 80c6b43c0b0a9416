import { useId, useState } from 'preact/hooks';
import type { I18n } from '../locale';
import { useI18n } from '../locale';
import type { Survey, SurveyResponse, SurveyStatus, SurveySummary } from '../types';
import { answerCells, NotApplicable, SurveyStatusBadge, surveyField, surveyValue } from './survey-parts';

type SortKey = 'organisation' | 'status' | 'delegationSize' | 'answeredAt';
type Direction = 'ascending' | 'descending';

const STATUS_ORDER: SurveyStatus[] = ['attending', 'declining', 'pending', 'no-response'];

/** Compares two responses by a column; blanks (no size, not answered) always come last. */
function compare(key: SortKey, a: SurveyResponse, b: SurveyResponse): number | undefined {
  switch (key) {
    case 'status':
      return STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status);
    case 'delegationSize':
      return a.delegationSize === null || b.delegationSize === null ? undefined : a.delegationSize - b.delegationSize;
    case 'answeredAt':
      return a.answeredAt === null || b.answeredAt === null ? undefined : Date.parse(a.answeredAt) - Date.parse(b.answeredAt);
    default:
      return 0;
  }
}

/** The API lists the organisations by their code (北海道 first): that order is the organisation column's. */
function sorted(responses: SurveyResponse[], key: SortKey, direction: Direction): SurveyResponse[] {
  const sign = direction === 'ascending' ? 1 : -1;
  const blank = (response: SurveyResponse) => (key === 'delegationSize' ? response.delegationSize === null : key === 'answeredAt' ? response.answeredAt === null : false);
  return responses
    .map((response, index) => ({ response, index }))
    .sort((a, b) => {
      if (blank(a.response) !== blank(b.response)) return blank(a.response) ? 1 : -1;
      const byColumn = compare(key, a.response, b.response) ?? 0;
      return (byColumn || (key === 'organisation' ? a.index - b.index : 0)) * sign || a.index - b.index;
    })
    .map(({ response }) => response);
}

function SummaryList({ summary, i18n }: { summary: SurveySummary; i18n: I18n }) {
  const { t } = i18n;
  const count = (value: number) => t('survey.count', { count: i18n.number(value) });
  const items: [string, string][] = [
    [t('survey.invited'), count(summary.invited)],
    [surveyValue('attendance', 'attending', i18n), count(summary.attending)],
    [surveyValue('attendance', 'declining', i18n), count(summary.declining)],
    [surveyValue('attendance', 'pending', i18n), count(summary.pending)],
    [surveyValue('attendance', 'no-response', i18n), count(summary.noResponse)],
    [t('survey.delegates'), t('survey.people', { count: i18n.number(summary.delegates) })],
  ];
  return (
    <dl class="survey-summary">
      {items.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The secretariat's view: the counts, then every invited organisation's answer in a sortable table. */
export function SurveyResults({ survey, summary }: { survey: Survey; summary: SurveySummary }) {
  const i18n = useI18n();
  const { t } = i18n;
  const id = useId();
  const [sort, setSort] = useState<{ key: SortKey; direction: Direction }>({ key: 'organisation', direction: 'ascending' });
  const rows = sorted(survey.responses, sort.key, sort.direction);

  const header = (key: SortKey | undefined, label: string) => {
    if (!key) return <th scope="col">{label}</th>;
    const current = sort.key === key ? sort.direction : undefined;
    return (
      <th scope="col" aria-sort={current ?? 'none'}>
        <button
          type="button"
          class="sort-button"
          onClick={() => setSort({ key, direction: current === 'ascending' ? 'descending' : 'ascending' })}
        >
          {label}
          <span aria-hidden="true" class="sort-mark">
            {current === 'ascending' ? '▲' : current === 'descending' ? '▼' : '⇅'}
          </span>
        </button>
      </th>
    );
  };

  return (
    <>
      <h3 id={`${id}-summary`}>{t('survey.summary')}</h3>
      <SummaryList summary={summary} i18n={i18n} />
      {survey.responses.length > 0 && (
        <>
          <p class="hint" id={`${id}-sort`}>
            {t('survey.sortHint')}
          </p>
          {/* Scrolls sideways on a phone; focusable so the keyboard can scroll it too. */}
          <div class="table-scroll" role="region" aria-labelledby={`${id}-caption`} tabIndex={0}>
            <table class="table survey-table" aria-describedby={`${id}-sort`}>
              <caption id={`${id}-caption`}>{t('survey.tableCaption', { count: i18n.number(survey.responses.length) })}</caption>
              <thead>
                <tr>
                  {header('organisation', t('survey.organisation'))}
                  {header('status', t('survey.answer'))}
                  {header(undefined, surveyField('attendeeLevel', i18n))}
                  {header('delegationSize', surveyField('delegationSize', i18n))}
                  {header(undefined, surveyField('joinsPromotion', i18n))}
                  {header('answeredAt', t('survey.answeredAt'))}
                </tr>
              </thead>
              <tbody>
                {rows.map((response) => {
                  const cells = answerCells(response, i18n);
                  return (
                    <tr key={response.organisationId}>
                      <th scope="row">{response.organisationName}</th>
                      <td>
                        <SurveyStatusBadge status={response.status} />
                      </td>
                      <td>{cells.level ?? <NotApplicable />}</td>
                      <td>{cells.size ?? <NotApplicable />}</td>
                      <td>{cells.promotion ?? <NotApplicable />}</td>
                      <td>{response.answeredAt ? <time dateTime={response.answeredAt}>{i18n.dateTime(response.answeredAt)}</time> : <NotApplicable />}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}
