// Finding the elements a drop-in takes over, on the page now and as they appear (parser,
// framework, `innerHTML`), for the Kommo drop-in's config tags and the LeadExec drop-in's
// buttons alike; and reading a batch of Kommo config tags. Each runs as one call out of the
// wasm, where doing the same through wasm-bindgen took a dozen calls per element: most of
// what a page of 1,000 tags spent mounting, and most of the bytes of watching the page
// (docs/size.md, "Many buttons").
//
// The drop-ins' loaders paste this file into their script and hand `discovery` to the wasm;
// the npm package's LeadExec entry imports it, and so do the wasm tests. crates/web/src/
// discover.rs is its Rust side, and core::kommo::snapshot decodes what `read` returns.
//
// Every element method is taken from Element.prototype when this file runs (on a server,
// where there is none, importing it does nothing): a <form>'s named controls shadow the
// form's own members (`<input name="querySelectorAll">`), never these. A <form> is never an
// element of ours (and is ruled out before any member of its own is read); its subtree is
// searched like any other. Nothing read is interpreted here: names and values are copied as
// text.
var ELEMENT = typeof Element != 'undefined' ? Element.prototype : {};
var getAttributeNames = ELEMENT.getAttributeNames;
var getAttribute = ELEMENT.getAttribute;
var matches = ELEMENT.matches;
var querySelectorAll = ELEMENT.querySelectorAll;

export var discovery = {
  /**
   * Pushes onto `found` each element matching `selector`, `root` and those in its subtree,
   * that is in the page, not a <form>, and not looked at yet (its `mark` property is unset),
   * in document order.
   */
  find: function (root, selector, mark, found) {
    takeAll(root, selector, mark, new Set(), found);
  },

  /**
   * Watches `root`'s subtree until the returned observer is disconnected, and after each
   * batch of mutations calls `onBatch(found, removed)`: `found` holds the elements to look at
   * (as `find` finds them in the subtrees added, and those whose watched `attributes` (names
   * separated by spaces) changed, unless their mark is 1: looked at for good; any other mark
   * is looked at again), `removed` whether a subtree taken out of the page was or held a match.
   */
  watch: function (root, selector, attributes, mark, onBatch) {
    var observer = new MutationObserver(function (records) {
      var found = [], added = [], removed = false, seen = new Set();
      for (var i = 0; i < records.length; i++) {
        var record = records[i];
        if (record.type === 'attributes') take(record.target, selector, mark, true, seen, found);
        for (var j = 0; j < record.removedNodes.length; j++) removed = removed || holds(record.removedNodes[j], selector);
        for (var k = 0; k < record.addedNodes.length; k++) added.push(record.addedNodes[k]);
      }
      // After the records: a subtree added and taken out again in one batch is not in the page.
      for (var n = 0; n < added.length; n++) takeAll(added[n], selector, mark, seen, found);
      if (found.length || removed) onBatch(found, removed);
    });
    // Every option said, not left to defaults: a polluted `Object.prototype.characterData`
    // would otherwise make the observer fire on every text change.
    observer.observe(root, {
      childList: true, subtree: true, attributes: true, attributeFilter: attributes.split(' '),
      characterData: false, attributeOldValue: false, characterDataOldValue: false,
    });
    return observer;
  },

  /**
   * Reads Kommo config tags into one string of fields joined by NUL: the page's origin, then
   * per tag its kind (`s` a <script>, `e` another element, upper-case with the amocrm_oauth
   * class) and each data-* attribute's name and value. A NUL in a value reads as U+FFFD, as
   * the HTML parser reads one in markup (a name cannot hold one).
   */
  read: function (tags) {
    var out = [location.origin];
    for (var i = 0; i < tags.length; i++) {
      var tag = tags[i];
      var kind = tag instanceof HTMLScriptElement ? 's' : 'e';
      out.push(matches.call(tag, '.amocrm_oauth') ? kind.toUpperCase() : kind);
      var names = getAttributeNames.call(tag);
      for (var j = 0; j < names.length; j++) {
        // `getAttribute` lower-cases the name it is given on an HTML element, so an attribute
        // whose name has capitals (markup parsed as XML, then imported) reads as null: skipped.
        var value = getAttribute.call(tag, names[j]);
        if (names[j].lastIndexOf('data-', 0) === 0 && value != null) out.push(names[j], value.replace(/\0/g, '\uFFFD'));
      }
    }
    return out.join('\0');
  },
};

/** Pushes `element` onto `found` when it is one to look at (see `find`; `again`: its
 * attributes changed). */
function take(element, selector, mark, again, seen, found) {
  if (seen.has(element) || element instanceof HTMLFormElement || !matches.call(element, selector)) return;
  var looked = element[mark];
  if ((again ? looked === 1 : looked) || !element.isConnected) return;
  seen.add(element);
  found.push(element);
}

/** `take` for `root`, if it is an element, and every match in its subtree. */
function takeAll(root, selector, mark, seen, found) {
  if (!(root instanceof Element)) return;
  take(root, selector, mark, false, seen, found);
  var all = querySelectorAll.call(root, selector);
  for (var i = 0; i < all.length; i++) take(all[i], selector, mark, false, seen, found);
}

/** Whether `node` is or holds a match. */
function holds(node, selector) {
  return node instanceof Element && (matches.call(node, selector) || querySelectorAll.call(node, selector).length > 0);
}
