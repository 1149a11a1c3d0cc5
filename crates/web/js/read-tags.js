// The Kommo drop-in's reader of config tags: one call out of the wasm reads the tags of a
// whole batch, where reading attribute by attribute took a dozen calls per tag, most of what
// a page of 1,000 tags spent mounting (docs/size.md, "Many buttons").
// crates/core/src/kommo/snapshot.rs decodes what it returns. The drop-in's loader pastes this
// file into button.js and hands `readTags` to `autoMount`; the wasm tests import it.
//
// Every DOM member is taken from its prototype when this file runs: a <form>'s named controls
// shadow the form's own members (`<input name="getAttribute">`), never these. Nothing read is
// interpreted here: names and values are copied as text.
var ELEMENT = Element.prototype;
var getAttributeNames = ELEMENT.getAttributeNames;
var getAttribute = ELEMENT.getAttribute;
var matches = ELEMENT.matches;
var querySelectorAll = ELEMENT.querySelectorAll;
var isConnected = Object.getOwnPropertyDescriptor(Node.prototype, 'isConnected').get;
var TAGS = '.kommo_oauth,.amocrm_oauth';

/**
 * Reads config tags into one string of fields joined by NUL: the page's origin, then per tag
 * its kind (`s` a <script>, `e` another element, upper-case with the amocrm_oauth class) and
 * each data-* attribute's name and value. A NUL in a value reads as U+FFFD, as the HTML parser
 * reads one in markup (names cannot hold one). Each tag read is pushed onto `found`, in the
 * same order.
 *
 * `look` says which tags: 0, the `roots` themselves, as they are (a click reads its tag);
 * 1, each root that is a tag not looked at yet (its attributes changed); 2, the same and every
 * such tag in each root's subtree (added to the page). A tag not looked at yet is in the page,
 * not a <form>, and carries no `mark` (the symbol the wasm marks tags with); each is read once.
 */
export function readTags(roots, look, mark, found) {
  var out = [location.origin];
  var seen = new Set();
  function read(tag) {
    if (look) {
      if (seen.has(tag) || tag instanceof HTMLFormElement || !matches.call(tag, TAGS)) return;
      if (tag[mark] || !isConnected.call(tag)) return;
      seen.add(tag);
    }
    var kind = tag instanceof HTMLScriptElement ? 's' : 'e';
    out.push(matches.call(tag, '.amocrm_oauth') ? kind.toUpperCase() : kind);
    var names = getAttributeNames.call(tag);
    for (var i = 0; i < names.length; i++) {
      if (names[i].lastIndexOf('data-', 0) === 0) out.push(names[i], getAttribute.call(tag, names[i]).replace(/\0/g, '\uFFFD'));
    }
    found.push(tag);
  }
  for (var i = 0; i < roots.length; i++) {
    read(roots[i]);
    if (look === 2) {
      var all = querySelectorAll.call(roots[i], TAGS);
      for (var j = 0; j < all.length; j++) read(all[j]);
    }
  }
  return out.join('\0');
}
