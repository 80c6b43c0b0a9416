import { api } from '../api';
import type { Case, JsonSchema, Me, ProgramForm } from '../types';

// A program's form changes only with a new program version: asked once per page load.
const forms = new Map<string, Promise<ProgramForm>>();

export function loadProgramForm(key: string): Promise<ProgramForm> {
  let form = forms.get(key);
  if (!form) {
    form = api.programForm(key);
    forms.set(key, form);
    // A failed load is asked again next time.
    form.catch(() => forms.delete(key));
  }
  return form;
}

/** The schema for the form's data: the variant's (JICA's scheme) or the only one; none before a variant is chosen. */
export function schemaFor(form: ProgramForm, data: Record<string, unknown>): JsonSchema | undefined {
  if (!form.variants) return form.schemas.default ?? Object.values(form.schemas)[0];
  const option = data[form.variants.field];
  return typeof option === 'string' && Object.hasOwn(form.schemas, option) ? form.schemas[option] : undefined;
}

/** The fields this user may change in the case's state now: '*' for all, [] for none. */
export function editableFields(form: ProgramForm, kase: Case, me: Me): '*' | string[] {
  // Invited organisations (a survey) read a case; only its own organisation edits it.
  if (kase.organisationId !== me.organisationId) return [];
  const fields = new Set<string>();
  for (const rule of form.editable) {
    if (!rule.states.includes(kase.state) || !rule.roles.some((role) => me.roles.includes(role))) continue;
    if (rule.fields === '*') return '*';
    for (const field of rule.fields) fields.add(field);
  }
  return [...fields];
}

export function canEdit(form: ProgramForm, kase: Case, me: Me): boolean {
  const fields = editableFields(form, kase, me);
  return fields === '*' || fields.length > 0;
}
