const DAY = 86_400_000;

/** A calendar day in Tokyo, `YYYY-MM-DD`, `days` from now. */
export function tokyoDayFromNow(days: number): string {
  return new Date(Date.now() + days * DAY).toLocaleDateString('sv-SE', { timeZone: 'Asia/Tokyo' });
}

/** An ambassador-visit form complete enough to submit (every field rule passes). */
export function completeVisit(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    envoyKind: 'ambassador',
    postCountry: 'KE',
    postName: '在ケニア日本国大使館',
    purposes: ['lecture'],
    preferredStart: tokyoDayFromNow(45),
    preferredEnd: tokyoDayFromNow(46),
    hostContact: { name: '交流 花子', department: '国際交流課', phone: '0852-55-5555', email: 'kokusai@city.test' },
    ...overrides,
  };
}
