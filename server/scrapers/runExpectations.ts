/**
 * What a scraper's definition asks of its runs, read on the server from Scraper.config: the fields
 * it scrapes (only those can be missing), the volume it is expected to find and its quality gates.
 */
import { DefinitionError, definitionFromConfig, scrapedFields, type QualityGates, type ScraperIdentity } from '../../contract/definitionSchema.ts';
import { OPTIONAL_FIELDS, type OptionalField } from '../../contract/product.ts';

const DEFAULT_VOLUME_DROP_RATIO = 0.5;

export type RunExpectations = {
  scrapedFields: OptionalField[];
  /** The definition's minProducts: the expected volume, instead of the one learned from history. */
  minProducts: number | null;
  volumeDropRatio: number;
  gates: QualityGates;
  /** The definition's categoryAliases: canonical category → the scraped values that mean it. */
  categoryAliases: Record<string, string[]>;
};

export function runExpectations(scraper: ScraperIdentity & { config: unknown }): RunExpectations {
  try {
    const definition = definitionFromConfig(scraper.config, scraper);
    return {
      scrapedFields: scrapedFields(definition),
      minProducts: definition.minProducts ?? null,
      volumeDropRatio: definition.volumeDropRatio ?? DEFAULT_VOLUME_DROP_RATIO,
      gates: definition.gates ?? {},
      categoryAliases: definition.categoryAliases ?? {},
    };
  } catch (error) {
    if (!(error instanceof DefinitionError)) throw error;
    // Only a row written around the API holds no valid definition (the API checks every config), and its
    // runs come from a runner that does not read it: nothing says which fields it scrapes, so all count.
    return { scrapedFields: [...OPTIONAL_FIELDS], minProducts: null, volumeDropRatio: DEFAULT_VOLUME_DROP_RATIO, gates: {}, categoryAliases: {} };
  }
}
