import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtinCatalog, type Catalog } from '@faultline/core';
import { RuntimeError, UsageError } from './usage-error.js';

/**
 * The built-in catalog, or the one an ES module exports as `default` or
 * `catalog`. A missing file is a usage error; a module that fails to load or
 * exports no catalog is a runtime error.
 */
export async function loadCatalog(modulePath: string | undefined, cwd: string): Promise<Catalog> {
  if (modulePath === undefined) return builtinCatalog;
  const file = resolve(cwd, modulePath);
  if (!existsSync(file)) throw new UsageError(`--catalog ${modulePath}: no such file`);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new RuntimeError(
      `could not load the catalog module ${modulePath}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const catalog = [module['default'], module['catalog']].find(isCatalog);
  if (catalog === undefined) {
    throw new RuntimeError(
      `the catalog module ${modulePath} exports no Catalog as "default" or "catalog" (build one with defineCatalog from @faultline/core)`,
    );
  }
  return catalog;
}

/** A Catalog from any copy of @faultline/core, so a module may bring its own. */
function isCatalog(value: unknown): value is Catalog {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<keyof Catalog, unknown>>;
  return (
    Array.isArray(candidate.entries) &&
    Array.isArray(candidate.codes) &&
    typeof candidate.resolve === 'function' &&
    typeof candidate.error === 'function' &&
    typeof candidate.find === 'function'
  );
}
