import { validateForm } from './form';
import { programForm } from './form-schema';
import { PROGRAMS } from './registry';

/** The web forms' schemas come from the same classes the API validates with: they must agree. */
describe('programForm', () => {
  const forms = PROGRAMS.map((def) => ({ def, form: programForm(def) }));

  it('gives every program a self-contained schema per variant', () => {
    for (const { def, form } of forms) {
      expect(JSON.stringify(form.schemas)).not.toContain('$ref');
      const variants = def.form.variants;
      expect(Object.keys(form.schemas)).toEqual(variants ? Object.keys(variants.dtos) : ['default']);
      expect(form.variants).toEqual(variants ? { field: variants.field, options: Object.keys(variants.dtos) } : null);
      expect(form.editable).toBe(def.editable);
    }
  });

  it('marks as required exactly what submitting an empty form reports missing', () => {
    for (const { def, form } of forms) {
      for (const name of Object.keys(form.schemas)) {
        const chosen = form.variants ? { [form.variants.field]: name } : {};
        const missing = validateForm(def, chosen, 'submit').incomplete.map((violation) => violation.field);
        const required = (form.schemas[name].required ?? []).filter((field) => !(field in chosen));
        expect([def.key, name, [...required].sort()]).toEqual([def.key, name, missing.sort()]);
      }
    }
  });

  it('describes dates, countries, times, e-mail addresses and nested records the way a form can offer them', () => {
    const visit = forms.find(({ def }) => def.key === 'ambassador-visit')!.form.schemas.default;
    const properties = visit.properties as Record<string, Record<string, unknown>>;
    expect(properties.preferredStart).toMatchObject({ type: 'string', format: 'date' });
    expect(properties.postCountry).toMatchObject({ type: 'string', format: 'country', pattern: '^[A-Z]{2}$' });
    expect(properties.envoyKind).toMatchObject({ type: 'string', enum: ['ambassador', 'consul-general'] });
    expect(properties.purposes).toMatchObject({ type: 'array', uniqueItems: true, minItems: 1, items: { type: 'string', enum: expect.arrayContaining(['lecture']) } });
    expect(properties.hostContact).toMatchObject({ type: 'object', required: expect.arrayContaining(['name', 'email']), properties: { email: { type: 'string', format: 'email' } } });
    expect(properties.itinerary).toMatchObject({ type: 'array', items: { type: 'object', properties: { time: { format: 'time' } } } });
    expect(properties.expectedParticipants).toMatchObject({ type: 'integer', minimum: 0, maximum: 100_000 });
  });
});
