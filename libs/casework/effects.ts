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
    },
  },

  /** governor-conference `close-survey`: responses still pending become `no-response`. */
  'survey.close': {
    after: async ({ caseRow, query }) => {
      await query(`UPDATE survey_response SET status = 'no-response' WHERE case_id = $1 AND status = 'pending'`, [caseRow.id]);
    },
  },
};
