import type { SurveyResponse } from '../types';
import { answerOf, checkAnswer, EMPTY_INPUT, inputOf, sameInput, serverMessages, type AnswerInput } from './survey-answer';

const pending: SurveyResponse = { organisationId: 'o', organisationName: '沖縄県', status: 'pending', attendeeLevel: null, delegationSize: null, joinsPromotion: null, answeredAt: null };
const attending: AnswerInput = { attendance: 'attending', attendeeLevel: 'governor', delegationSize: '5', joinsPromotion: true };

describe('the participation survey’s answer form', () => {
  it('starts empty while the answer is pending, and from the answer once given', () => {
    expect(inputOf(pending)).toEqual(EMPTY_INPUT);
    expect(inputOf({ ...pending, status: 'no-response' })).toEqual(EMPTY_INPUT);
    expect(inputOf({ ...pending, status: 'attending', attendeeLevel: 'governor', delegationSize: 5, joinsPromotion: true, answeredAt: '2026-12-01T00:00:00Z' })).toEqual(attending);
    expect(sameInput(inputOf({ ...pending, status: 'declining' }), { ...EMPTY_INPUT, attendance: 'declining' })).toBe(true);
  });

  it('sends the level, size and promotion only when attending, the size as a number', () => {
    expect(answerOf(attending)).toEqual({ attendance: 'attending', attendeeLevel: 'governor', delegationSize: 5, joinsPromotion: true });
    expect(answerOf({ ...attending, attendance: 'declining' })).toEqual({ attendance: 'declining' });
    expect(answerOf(EMPTY_INPUT)).toBeUndefined();
  });

  it('asks for the choice, and when attending for the level and a whole size from 1 to 200', () => {
    expect(checkAnswer(EMPTY_INPUT)).toEqual([{ field: 'attendance', code: 'choose' }]);
    expect(checkAnswer({ ...EMPTY_INPUT, attendance: 'declining' })).toEqual([]);
    expect(checkAnswer(attending)).toEqual([]);
    expect(checkAnswer({ ...attending, attendeeLevel: '', delegationSize: ' ' })).toEqual([
      { field: 'attendeeLevel', code: 'choose' },
      { field: 'delegationSize', code: 'required' },
    ]);
    expect(checkAnswer({ ...attending, delegationSize: '2.5' })).toEqual([{ field: 'delegationSize', code: 'integer' }]);
    expect(checkAnswer({ ...attending, delegationSize: '0' })).toEqual([{ field: 'delegationSize', code: 'minimum', params: { min: 1 } }]);
    expect(checkAnswer({ ...attending, delegationSize: '201' })).toEqual([{ field: 'delegationSize', code: 'maximum', params: { max: 200 } }]);
  });

  it('puts the server’s messages at their fields, naming each field by its title', () => {
    const title = (field: string) => ({ delegationSize: '参加人数', attendeeLevel: '出席者' })[field] ?? field;
    const { byField, other } = serverMessages(
      [
        { field: 'delegationSize', code: 'max', message: 'delegationSize は 200 以下で入力してください。' },
        { field: 'delegationSize', code: 'min', message: 'delegationSize は 1 以上で入力してください。' },
        { field: 'attendeeLevel', code: 'isIn', message: 'Choose a level.' },
        { field: '', code: 'SURVEY_CLOSED', message: 'この参加意向調査は回答を受け付けていません。' },
      ],
      title,
      'ja',
    );
    expect(Object.fromEntries(byField)).toEqual({
      delegationSize: ['「参加人数」は 200 以下で入力してください。', '「参加人数」は 1 以上で入力してください。'],
      attendeeLevel: ['Choose a level.'],
    });
    expect(other).toEqual(['この参加意向調査は回答を受け付けていません。']);
    const english = serverMessages([{ field: 'body.delegationSize', code: 'isInt', message: 'body.delegationSize must be a whole number.' }], () => 'Delegation size', 'en');
    expect(english.byField.get('delegationSize')).toEqual(['Delegation size must be a whole number.']);
  });
});
