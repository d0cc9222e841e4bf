/**
 * The bounds the API enforces on what runners send (appendLogs, reportProducts); runners size their
 * batches and clip their values by the same numbers, so that nothing they send is refused for size.
 */

export const MAX_LINES_PER_BATCH = 1000;
export const MAX_MESSAGE_BYTES = 64 * 1024;

export const MAX_PRODUCTS_PER_BATCH = 1000;
export const MAX_SKU_LENGTH = 256;
export const MAX_NAME_LENGTH = 1000;
export const MAX_LABEL_LENGTH = 256;
export const MAX_URL_LENGTH = 2048;
export const MAX_PRICE = 10_000_000;

/** The most products one run may report finding (completeRun's productsFound); what a definition may expect is bounded by it too. */
export const MAX_PRODUCTS_PER_RUN = 10_000_000;
