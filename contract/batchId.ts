/**
 * The batchId a runner sends with each batch it ships (log lines, products): the server stores a batch once
 * per batchId, so a retry after a lost answer stores nothing twice. Both mutations take the same shape.
 */
import { z } from 'zod';

const MAX_BATCH_ID_LENGTH = 128;
const BATCH_ID_PATTERN = /^[A-Za-z0-9._:-]+$/;

export const batchIdRule = z
  .string()
  .min(1, 'batchId must not be empty')
  .max(MAX_BATCH_ID_LENGTH)
  .regex(BATCH_ID_PATTERN, 'batchId may hold letters, digits and . _ : - only');
