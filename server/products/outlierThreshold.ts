/** Fewer prices than this in a category say too little about its spread to call any of them an outlier. */
export const MIN_PRICES_FOR_OUTLIERS = 4;
