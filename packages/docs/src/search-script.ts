import type { CatalogEntry } from '@faultline/core';

/**
 * Whether an entry's search text matches what the reader typed: every word of
 * the query, case-insensitively, somewhere in the text. An empty query
 * matches everything. Runs as is in the browser (see {@link searchScript}), so
 * it stays plain JavaScript with nothing from outside its body.
 */
export function entryMatches(text: string, query: string): boolean {
  const haystack = text.toLowerCase();
  const words = query.toLowerCase().split(/\s+/);
  for (const word of words) {
    if (word !== '' && !haystack.includes(word)) return false;
  }
  return true;
}

/** What the search box looks in for an entry: its code, title and description. */
export function searchText(entry: CatalogEntry): string {
  return `${entry.code} ${entry.title} ${entry.description}`;
}

/**
 * The page's only script. The search box starts hidden, so a reader without
 * JavaScript sees every entry and no dead control; the script shows the box
 * and hides the entries that do not match as the reader types. Following a
 * link to a hidden entry clears the search so the entry shows.
 */
export const searchScript = `
(function () {
  'use strict';
  var entryMatches = ${String(entryMatches)};
  var box = document.getElementById('search-box');
  var input = document.getElementById('search');
  var count = document.getElementById('search-count');
  var entries = Array.prototype.slice.call(document.querySelectorAll('section[data-search]'));
  function apply() {
    var shown = 0;
    entries.forEach(function (entry) {
      var match = entryMatches(entry.getAttribute('data-search') || '', input.value);
      entry.hidden = !match;
      if (match) shown += 1;
    });
    count.textContent = input.value.trim() === '' ? '' : shown + ' of ' + entries.length + ' codes match.';
  }
  function reveal() {
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target && target.hidden) {
      input.value = '';
      apply();
      target.scrollIntoView();
    }
  }
  box.hidden = false;
  input.addEventListener('input', apply);
  window.addEventListener('hashchange', reveal);
  apply();
})();
`;
