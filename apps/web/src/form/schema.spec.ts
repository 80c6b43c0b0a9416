import { AMBASSADOR_VISIT, GOVERNOR_CONFERENCE, JICA_APPLICATION, programForm } from '@koryu/workflow';
import type { JsonSchema } from '../types';
import { clientViolations, controlOf, controlPath, type IndexMaps, type RawObject, resolve, toData, toRaw, toRawPath } from './schema';

// The schemas exactly as GET /programs/:key/form serves them (generated from the programs' classes).
const visit = programForm(AMBASSADOR_VISIT).schemas.default as JsonSchema;
const jica = programForm(JICA_APPLICATION).schemas['sme-verification'] as JsonSchema;
const conference = programForm(GOVERNOR_CONFERENCE).schemas.default as JsonSchema;
const property = (schema: JsonSchema, path: string) => path.split('.').reduce((node, key) => resolve(resolve(node).properties?.[key] ?? resolve(node).items?.properties?.[key]), schema);

describe('the form renderer’s reading of the programs’ JSON Schemas', () => {
  it.each(
    (
      [
        [visit, 'envoyKind', 'select'],
        [visit, 'postCountry', 'country'],
        [visit, 'postName', 'text'],
        [visit, 'purposes', 'checkboxes'],
        [visit, 'preferredStart', 'date'],
        [visit, 'placesToVisit', 'list'],
        [visit, 'itinerary', 'records'],
        [visit, 'itinerary.time', 'time'],
        [visit, 'itinerary.activity', 'textarea'],
        [visit, 'hostContact', 'object'],
        [visit, 'hostContact.email', 'email'],
        [visit, 'expectedParticipants', 'number'],
        [jica, 'callId', 'call'],
        [jica, 'summary', 'textarea'],
        [jica, 'partners', 'records'],
        [conference, 'surveyDeadline', 'datetime'],
        [conference, 'invitedOrganisations', 'list'],
        [conference, 'counterpartCountry', 'text'],
      ] as const
    ).map(([schema, path, control]) => ({ schema, path, control })),
  )('shows $path as $control', ({ schema, path, control }) => {
    expect(controlOf(path.split('.').at(-1) as string, property(schema, path))).toBe(control);
  });

  it('sends the data as typed: empty inputs, rows and groups left out, numbers as numbers', () => {
    const raw: RawObject = {
      envoyKind: 'consul-general',
      postName: '在シアトル日本国総領事館',
      envoyName: '   ',
      purposes: ['lecture', 'exchange-of-views'],
      placesToVisit: ['', '小倉城', ''],
      itinerary: [{ date: '', place: '' }, { date: '2027-02-10', place: '市役所', activity: '表敬' }],
      hostContact: { name: '', email: '' },
      expectedParticipants: '120',
    };
    const maps: IndexMaps = new Map();
    expect(toData(visit, raw, maps)).toEqual({
      envoyKind: 'consul-general',
      postName: '在シアトル日本国総領事館',
      // In the options' order, whatever order they were ticked in.
      purposes: ['exchange-of-views', 'lecture'],
      placesToVisit: ['小倉城'],
      itinerary: [{ date: '2027-02-10', place: '市役所', activity: '表敬' }],
      expectedParticipants: 120,
    });
    // The server's `itinerary.0.place` is the form's second row.
    expect(toRawPath('itinerary.0.place', maps)).toBe('itinerary.1.place');
    expect(toRawPath('placesToVisit.0', maps)).toBe('placesToVisit.1');
    expect(toRawPath('hostContact.email', maps)).toBe('hostContact.email');
  });

  it('fills the form from saved data and gives the same data back', () => {
    const data = {
      envoyKind: 'ambassador',
      postCountry: 'RW',
      postName: '在ルワンダ日本国大使館',
      purposes: ['lecture', 'site-visit'],
      preferredStart: '2027-01-10',
      preferredEnd: '2027-01-12',
      itinerary: [{ date: '2027-01-10', time: '10:00', place: '八幡平市役所', activity: '講演' }],
      hostContact: { name: '交流 花子', department: '国際交流係', phone: '0195-74-2111', email: 'kokusai@example.jp' },
      expectedParticipants: 0,
    };
    const raw = toRaw(visit, data);
    expect((raw as RawObject).expectedParticipants).toBe('0');
    expect(toData(visit, raw)).toEqual(data);
  });

  it('types timestamps in Japan time and sends them with the offset', () => {
    expect(toData(conference, { surveyDeadline: '2026-12-01T10:00' })).toEqual({ surveyDeadline: '2026-12-01T10:00:00+09:00' });
    expect(toRaw(conference, { surveyDeadline: '2026-12-01T01:00:00.000Z' })).toEqual({ surveyDeadline: '2026-12-01T10:00' });
  });

  it('finds what the schema itself says is missing or malformed (hints for a new case)', () => {
    const found = clientViolations(visit, {
      postName: 'x'.repeat(201),
      hostContact: { name: '山田', email: 'yamada@' },
      expectedParticipants: '-1',
      itinerary: [{ place: '市役所' }],
    });
    expect(found).toEqual(
      expect.arrayContaining([
        { field: 'envoyKind', code: 'required' },
        { field: 'purposes', code: 'required' },
        { field: 'postName', code: 'maxLength', params: { max: 200 } },
        { field: 'hostContact.department', code: 'required' },
        { field: 'hostContact.email', code: 'email' },
        { field: 'expectedParticipants', code: 'minimum', params: { min: 0 } },
        { field: 'itinerary.0.date', code: 'required' },
      ]),
    );
    expect(found.map((violation) => violation.field)).not.toContain('envoyName');
    expect(clientViolations(jica, { partners: [] }).filter((violation) => violation.field === 'partners')).toEqual([{ field: 'partners', code: 'required' }]);
  });

  it('shows a message at the deepest control there is for its field', () => {
    const raw: RawObject = { purposes: ['lecture'], partners: [{ name: 'A社' }], hostContact: {} };
    expect(controlPath(visit, raw, 'purposes.0')).toBe('purposes');
    expect(controlPath(visit, raw, 'hostContact.email')).toBe('hostContact.email');
    expect(controlPath(jica, raw, 'partners.0.kind')).toBe('partners.0.kind');
    expect(controlPath(jica, raw, 'partners.3.name')).toBe('partners');
    expect(controlPath(visit, raw, 'partners')).toBe('');
  });
});
