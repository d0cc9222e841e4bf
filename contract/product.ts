/** A product as runners report it (reportProducts) and the server stores it. */

/** The fields a definition can extract, one per field of a product. */
export const PRODUCT_FIELDS = ['sku', 'name', 'brand', 'category', 'price', 'thcPercent', 'cbdPercent', 'url'] as const;

/** The fields a product may lack: a definition chooses which of them it scrapes, and only those can be missing. */
export const OPTIONAL_FIELDS = ['thcPercent', 'cbdPercent', 'brand', 'price', 'category', 'url'] as const;

export type OptionalField = (typeof OPTIONAL_FIELDS)[number];

export type Product = {
  sku: string;
  name: string;
  brand: string | null;
  category: string | null;
  price: number | null;
  thcPercent: number | null;
  cbdPercent: number | null;
  url: string | null;
};
