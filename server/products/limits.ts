/** The bounds reportProducts enforces; runners size their product batches by the same numbers. */
export const MAX_PRODUCTS_PER_BATCH = 1000;
export const MAX_SKU_LENGTH = 256;
export const MAX_NAME_LENGTH = 1000;
export const MAX_LABEL_LENGTH = 256;
export const MAX_URL_LENGTH = 2048;
export const MAX_PRICE = 10_000_000;
/** Fewer prices than this in a category say too little about its spread to call any of them an outlier. */
export const MIN_PRICES_FOR_OUTLIERS = 4;
