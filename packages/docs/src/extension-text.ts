import type { CatalogEntry, ExtensionMember } from '@faultline/core';

/** One extension member in words: its name, its type, what it says, and when it is sent. */
export interface ExtensionText {
  readonly name: string;
  readonly type: string;
  readonly description: string;
}

function typeOf(member: ExtensionMember): string {
  const { schema } = member;
  if (schema.type === 'integer') return 'integer';
  return schema.format === 'date-time' ? 'string (date-time)' : schema.format === 'uri-reference' ? 'string (URL)' : 'string';
}

/** The extension members of an entry, as the reference pages list them (problem+json bodies carry them). */
export function extensionTexts(entry: CatalogEntry): ExtensionText[] {
  return Object.entries(entry.extensions).map(([name, member]) => ({
    name,
    type: typeOf(member),
    description: member.always === false ? `${member.description} Not always sent.` : member.description,
  }));
}
