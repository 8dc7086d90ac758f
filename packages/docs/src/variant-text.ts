import type { CatalogVariant } from '@faultline/core';
import { contextLabels } from './wording.js';

/** Where a variant applies and what it changes, as plain text with `code` spans. */
export function variantText(variant: CatalogVariant): { where: string; what: string } {
  const where = [
    variant.profile === undefined ? undefined : `the ${variant.profile} format`,
    variant.context === undefined ? undefined : contextLabels[variant.context],
  ]
    .filter((part) => part !== undefined)
    .join(', in ');
  const what = [
    variant.code === undefined ? undefined : `written as \`${variant.code}\``,
    variant.status === undefined ? undefined : `status ${variant.status}`,
  ]
    .filter((part) => part !== undefined)
    .join(', ');
  return { where: where === '' ? 'every format' : where, what: what === '' ? 'unchanged' : what };
}
