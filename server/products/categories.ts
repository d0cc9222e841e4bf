/**
 * Category normalisation: "Edible", "edibles" and "EDIBLES" are one category. A scraped category is
 * compared by its key (lower case, accents dropped, runs of spaces, dashes and underscores as one
 * space); a key that names an alias becomes its canonical category, and any other category is kept
 * in lower case with its spaces collapsed. A definition may add aliases (its `categoryAliases`).
 *
 * The migration that normalised stored rows holds the same built-in table: change both together.
 */

/** Canonical category → the keys that mean it (the canonical name's own key always does). */
const BUILT_IN_CATEGORY_ALIASES: Readonly<Record<string, readonly string[]>> = {
  flower: ['flowers', 'bud', 'buds'],
  'pre-rolls': ['pre roll', 'preroll', 'prerolls', 'joint', 'joints'],
  edibles: ['edible'],
  vapes: ['vape', 'vaporizer', 'vaporizers', 'vaporiser', 'vaporisers', 'cartridge', 'cartridges', 'cart', 'carts'],
  concentrates: ['concentrate', 'extract', 'extracts'],
  beverages: ['beverage', 'drink', 'drinks'],
  tinctures: ['tincture'],
  topicals: ['topical'],
  accessories: ['accessory'],
};

export type CategoryAliases = Readonly<Record<string, readonly string[]>>;

/** The key a category is compared by. */
function categoryKey(raw: string): string {
  return raw
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ')
    .trim();
}

/** A category kept as scraped except for case and spacing: what an unknown category becomes. */
function plainCategory(raw: string): string {
  return raw.trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * A normaliser for one scraper: the built-in aliases extended (never overridden key by key in a
 * surprising way: the definition's entries win) by the definition's own.
 */
export function categoryNormaliser(definitionAliases: CategoryAliases = {}): (raw: string | null) => string | null {
  const canonicalByKey = new Map<string, string>();
  const add = (aliases: CategoryAliases) => {
    for (const [canonical, keys] of Object.entries(aliases)) {
      const name = plainCategory(canonical);
      canonicalByKey.set(categoryKey(canonical), name);
      for (const key of keys) canonicalByKey.set(categoryKey(key), name);
    }
  };
  add(BUILT_IN_CATEGORY_ALIASES);
  add(definitionAliases);
  return (raw) => {
    if (raw === null) return null;
    const key = categoryKey(raw);
    if (key === '') return null;
    return canonicalByKey.get(key) ?? plainCategory(raw);
  };
}
