import { format, negotiateLocale } from './locale';

describe('negotiateLocale', () => {
  it.each([
    [undefined, 'ja'],
    ['', 'ja'],
    ['en', 'en'],
    ['en-US,en;q=0.9', 'en'],
    ['ja-JP,ja;q=0.9,en;q=0.8', 'ja'],
    ['en;q=0.5,ja;q=0.8', 'ja'],
    ['fr-FR,fr;q=0.9,en;q=0.3', 'en'],
    ['fr-FR', 'ja'],
    ['en;q=0', 'ja'],
  ])('chooses the right language for %p', (header, expected) => {
    expect(negotiateLocale(header)).toBe(expected);
  });
});

describe('format', () => {
  it('fills named placeholders and leaves unknown ones', () => {
    expect(format('{field} は {max} 文字以内 {x}', { field: 'title', max: 200 })).toBe('title は 200 文字以内 {x}');
  });
});
