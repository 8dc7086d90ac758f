// The Node.js versions the lock file's packages accept, held to two promises:
// - `npm ci` on the Node that runs this gives no EBADENGINE warning (a merged lock once brought back a
//   dependency that wanted Node 22, and only a warning in a long log said so);
// - each public package's own `engines` range is covered by every package it installs for its users.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';

/**
 * @typedef {{ version?: string; engines?: { node?: string } | string[]; dependencies?: Record<string, string>;
 *   optionalDependencies?: Record<string, string>; peerDependencies?: Record<string, string>; dev?: boolean }} LockEntry
 */

/** @param {LockEntry} entry */
const nodeRange = (entry) => (entry.engines !== undefined && !Array.isArray(entry.engines) ? entry.engines.node : undefined);

/**
 * Where npm installs `name` for the package at `from`: the nearest node_modules up the tree, as Node resolves it.
 * @param {Record<string, LockEntry>} entries
 * @param {string} from a lock key such as "node_modules/a/node_modules/b" or "packages/core"
 * @param {string} name
 */
function resolveIn(entries, from, name) {
  for (let base = from; ;) {
    const key = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (entries[key] !== undefined) return key;
    if (base === '') return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut === -1 ? '' : base.slice(0, cut);
  }
}

/**
 * Every problem found, as lines written for the person who reads them; empty when both promises hold.
 * @param {string} root the repository's root directory
 * @param {{ name: string; directory: string }[]} packages the public packages
 * @param {string} nodeVersion the Node.js version `npm ci` runs on (this process's, in CI)
 */
export function engineProblems(root, packages, nodeVersion) {
  const lock = /** @type {{ packages: Record<string, LockEntry> }} */ (
    JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'))
  );
  const entries = lock.packages;
  const problems = [];
  for (const [key, entry] of Object.entries(entries)) {
    const range = nodeRange(entry);
    if (key !== '' && range !== undefined && !semver.satisfies(nodeVersion, range))
      problems.push(`${key}@${entry.version} wants Node ${range}; npm ci on Node ${nodeVersion} warns EBADENGINE`);
  }
  for (const { name, directory } of packages) {
    const workspace = directory
      .slice(root.length)
      .replace(/^[/\\]+/, '')
      .replaceAll('\\', '/');
    const promised = nodeRange(entries[workspace] ?? {});
    if (promised === undefined) {
      problems.push(`${name} declares no engines.node`);
      continue;
    }
    // Walk what installing this package brings: its dependencies, and theirs, as resolved in the lock.
    const seen = new Set();
    const queue = [workspace];
    while (queue.length > 0) {
      const at = /** @type {string} */ (queue.shift());
      const entry = entries[at] ?? {};
      const names = Object.keys({ ...entry.dependencies, ...entry.optionalDependencies });
      for (const dependency of names) {
        const key = resolveIn(entries, at, dependency);
        if (key === undefined || seen.has(key)) continue;
        seen.add(key);
        queue.push(key);
        const wanted = nodeRange(entries[key]);
        if (wanted !== undefined && !semver.subset(promised, wanted))
          problems.push(
            `${name} promises Node ${promised}, but its dependency ${dependency}@${entries[key].version} wants Node ${wanted}`,
          );
      }
    }
  }
  return problems;
}
