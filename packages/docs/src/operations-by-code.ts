/** The little of an OpenAPI document this reads: each response's examples, named by code. */
interface OpenApiDocument {
  readonly paths?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

const methods = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'];

/**
 * Which operations can answer with which code, read from an OpenAPI document
 * whose error responses name their examples after the code (`not_found`, or
 * `not_found.classic` for another profile), so the error reference can say
 * where each code comes from without a second list to keep in step.
 */
export function operationsByCode(document: OpenApiDocument, isCode: (name: string) => boolean): Record<string, string[]> {
  const operations: Record<string, string[]> = {};
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of methods) {
      const operation = item[method] as
        { responses?: Record<string, { content?: Record<string, { examples?: Record<string, unknown> }> }> } | undefined;
      const codes = new Set<string>();
      for (const response of Object.values(operation?.responses ?? {})) {
        for (const media of Object.values(response.content ?? {})) {
          for (const name of Object.keys(media.examples ?? {})) {
            const code = name.split('.')[0] as string;
            if (isCode(code)) codes.add(code);
          }
        }
      }
      for (const code of codes) (operations[code] ??= []).push(`${method.toUpperCase()} ${path}`);
    }
  }
  return operations;
}
