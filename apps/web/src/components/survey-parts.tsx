import { fieldLabel, valueLabel } from '../field-labels';
import type { I18n } from '../locale';
import { useI18n } from '../locale';
import type { SurveyResponse, SurveyStatus } from '../types';

/** A value's title from field-labels.ts (`attendeeLevel` `governor` → 知事). */
export function surveyValue(field: 'attendance' | 'attendeeLevel', value: string, i18n: I18n): string {
  const label = valueLabel(field, value);
  return label ? i18n.pick(label) : value;
}

export function surveyField(field: string, i18n: I18n): string {
  return i18n.pick(fieldLabel(field));
}

/** The status in words with an icon; colour only repeats what the words say. */
const ICONS: Record<SurveyStatus, string> = { attending: '✓', declining: '✕', pending: '○', 'no-response': '–' };

export function SurveyStatusBadge({ status }: { status: SurveyStatus }) {
  const i18n = useI18n();
  return (
    <span class={`badge badge-survey-${status}`}>
      <span aria-hidden="true">{ICONS[status]} </span>
      {surveyValue('attendance', status, i18n)}
    </span>
  );
}

/** A dash for the eye, words for screen readers: a level or size that does not apply (not attending). */
export function NotApplicable() {
  const { t } = useI18n();
  return (
    <>
      <span aria-hidden="true" class="muted">
        —
      </span>
      <span class="visually-hidden">{t('survey.notApplicable')}</span>
    </>
  );
}

/** The parts of an answer shown in the table and in the invitee's view. */
export function answerCells(response: SurveyResponse, i18n: I18n) {
  const { t } = i18n;
  const attending = response.status === 'attending';
  return {
    level: attending && response.attendeeLevel ? surveyValue('attendeeLevel', response.attendeeLevel, i18n) : undefined,
    size: attending && response.delegationSize !== null ? t('survey.people', { count: i18n.number(response.delegationSize) }) : undefined,
    promotion: attending && response.joinsPromotion !== null ? t(response.joinsPromotion ? 'data.yes' : 'data.no') : undefined,
  };
}
