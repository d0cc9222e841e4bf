/** Category normalisation on the way in, with a definition's own aliases, and the definition rules for them. */
import { describe, expect, it } from 'vitest';
import { parseDefinition } from '../../contract/definitionSchema.ts';
import { categoryNormaliser } from '../../server/products/categories.ts';
import { decodeProductCursor, encodeProductCursor } from '../../server/products/productSort.ts';

describe('category normalisation', () => {
  const normalise = categoryNormaliser();

  it('makes one category of the spellings of a built-in one', () => {
    expect(['Edible', 'edibles', 'EDIBLES', ' Édible ', 'edible'].map(normalise)).toEqual(Array(5).fill('edibles'));
    expect(['vape', 'Vaporizer', 'CARTRIDGES'].map(normalise)).toEqual(['vapes', 'vapes', 'vapes']);
    expect(['Pre-Roll', 'pre_rolls', 'PRE  ROLL'].map(normalise)).toEqual(['pre-rolls', 'pre-rolls', 'pre-rolls']);
    expect(['tincture', 'topical'].map(normalise)).toEqual(['tinctures', 'topicals']);
  });

  it('keeps an unknown category in lower case with its spaces collapsed, and a blank one as none', () => {
    expect(normalise('  Seeds   and  Clones ')).toBe('seeds and clones');
    expect(normalise('   ')).toBeNull();
    expect(normalise(null)).toBeNull();
  });

  it("adds a definition's aliases, which win over a built-in alias of the same value", () => {
    const withAliases = categoryNormaliser({ edibles: ['Gummies', 'chocolate'], merch: ['Accessory'] });
    expect(['GUMMIES', 'gummies', 'Chocolate', 'Edible'].map(withAliases)).toEqual(['edibles', 'edibles', 'edibles', 'edibles']);
    expect(withAliases('accessory')).toBe('merch');
    expect(normalise('gummies')).toBe('gummies');
  });
});

describe('categoryAliases in a definition', () => {
  const base = { slug: 'shop', name: 'Shop', source: { name: 'Shop', url: 'http://shop.test' }, format: 'json', urls: ['http://shop.test'], fields: { sku: 'sku', name: 'name' } };
  const problems = (categoryAliases: unknown) => {
    try {
      parseDefinition({ ...base, categoryAliases });
      return [];
    } catch (error) {
      return (error as { issues: Array<{ path: string; message: string }> }).issues;
    }
  };

  it('takes a map of category to aliases', () => {
    expect(parseDefinition({ ...base, categoryAliases: { edibles: ['gummies'] } }).categoryAliases).toEqual({ edibles: ['gummies'] });
  });

  it('names the entry that is wrong', () => {
    expect(problems({ edibles: 'gummies' })).toEqual([{ path: 'categoryAliases.edibles', message: 'must be a list of the scraped values that mean this category' }]);
    expect(problems({ edibles: ['', 'x'.repeat(101)] })).toEqual([
      { path: 'categoryAliases.edibles.0', message: 'an alias must not be blank' },
      { path: 'categoryAliases.edibles.1', message: 'an alias has at most 100 characters' },
    ]);
    expect(problems({ ' ': ['x'] })).toEqual([{ path: 'categoryAliases. ', message: 'a category name must not be blank' }]);
    expect(problems(['edibles'])[0]!.message).toMatch(/must map each category to a list of its aliases/);
  });
});

describe('products cursors', () => {
  it('round-trip the sort, key and id, and refuse a cursor of another sort or a forged one', () => {
    const cursor = encodeProductCursor({ sort: 'PRICE', key: null, id: 7 });
    expect(decodeProductCursor(cursor, 'PRICE', 'after')).toEqual({ sort: 'PRICE', key: null, id: 7 });
    expect(() => decodeProductCursor(cursor, 'NAME', 'after')).toThrow(/not a products cursor of this sort/);
    const forged = Buffer.from('Product:["PRICE","12",7]').toString('base64');
    expect(() => decodeProductCursor(forged, 'PRICE', 'after')).toThrow(/not a products cursor/);
    expect(() => decodeProductCursor('garbage', 'NAME', 'before')).toThrow(/before is not a products cursor/);
  });
});
