/** A product as runners report it (reportProducts) and the server stores it. */

/** The fields a definition can extract, one per field of a product. */
export const PRODUCT_FIELDS = ['sku', 'name', 'brand', 'category', 'price', 'thcPercent', 'cbdPercent', 'url'] as const;

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
