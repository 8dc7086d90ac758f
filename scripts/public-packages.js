/** The workspaces published to npm: every one whose package.json is not marked private. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * @param {string} root the repository's root directory
 * @returns {{ name: string; directory: string }[]} each public package's name and absolute directory, in the root's workspace order
 */
export function publicPackages(root) {
  const workspaces = /** @type {{ workspaces: string[] }} */ (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')))
    .workspaces;
  return workspaces
    .map((workspace) => {
      const directory = join(root, workspace);
      const manifest = /** @type {{ name: string; private?: boolean }} */ (
        JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8'))
      );
      return { name: manifest.name, directory, private: manifest.private === true };
    })
    .filter((workspace) => !workspace.private)
    .map(({ name, directory }) => ({ name, directory }));
}
