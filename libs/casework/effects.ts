import type { CaseEffect } from './cases.service';

/**
 * What actions do beside the transition, in its transaction (ActionDefinition.effects). The API
 * refuses to start when a definition names an effect missing here.
 */
export const EFFECTS: Record<string, CaseEffect> = {
  /**
   * governor-conference `open-survey`: invite every prefecture when no organisations were chosen,
   * and create one pending response per invited organisation.
   */
  'survey.open': {
    before: async ({ data, query }) => {
      const chosen = Array.isArray(data.invitedOrganisations) ? data.invitedOrganisations : [];
      if (chosen.length > 0) return undefined;
      const prefectures = await query<{ id: string }>(`SELECT id FROM organisation WHERE kind = 'prefecture' ORDER BY code`, []);
      return { ...data, invitedOrganisations: prefectures.map((p) => p.id) };
    },
    after: async ({ caseRow, data, query }) => {
      await query(
        `INSERT INTO survey_response (case_id, organisation_id)
         SELECT $1, o.id FROM organisation o WHERE o.id = ANY ($2::uuid[]) ON CONFLICT DO NOTHING`,
        [caseRow.id, data.invitedOrganisations],
      );
      // A survey invitation (DOMAIN.md Notifications) to the staff of every invited organisation.
      const title = typeof data.counterpartBody === 'string' ? `${data.counterpartBody}との知事会議` : caseRow.title;
      await query(
        `INSERT INTO notification (user_id, kind, case_id, title, body, idempotency_key)
         SELECT u.id, 'survey-invitation', $1::uuid, $3, $4, 'survey-invitation:' || $1::uuid::text || ':' || u.id::text
           FROM app_user u WHERE u.organisation_id = ANY ($2::uuid[]) AND u.disabled_at IS NULL AND 'staff' = ANY (u.roles)
         ON CONFLICT (idempotency_key) DO NOTHING`,
        [
          caseRow.id,
          data.invitedOrganisations,
          JSON.stringify({ ja: `【参加意向調査】${title}`, en: `[Survey] ${title}` }),
          JSON.stringify({ ja: `「${title}」への参加意向をお知らせください。`, en: `Please tell the secretariat whether you will attend "${title}".` }),
        ],
      );
    },
  },

  /** governor-conference `close-survey`: responses still pending become `no-response`. */
  'survey.close': {
    after: async ({ caseRow, query }) => {
      await query(`UPDATE survey_response SET status = 'no-response' WHERE case_id = $1 AND status = 'pending'`, [caseRow.id]);
    },
  },
};
