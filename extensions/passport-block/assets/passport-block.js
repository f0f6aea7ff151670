/*
 * Passport: keeps the Digital Product Passport block in step with the
 * selected variant (see the extension's README). Sources: ?variant= (history,
 * popstate), "change" of a product form's [name="id"], variant:* events.
 * Other products' ids are ignored; when the block's own product (its section,
 * or the ?variant= it followed) selects no variant, or one not in the JSON,
 * the block is hidden.
 */
(function () {
  'use strict';

  if (window.PassportBlock && typeof window.PassportBlock.scan === 'function') {
    window.PassportBlock.scan();
    return;
  }

  var EVENTS = ['variant:change', 'variant:changed', 'variant:update', 'variantChange', 'variant-change', 'on:variant:change'];
  var DETAIL_FIELDS = ['variant', 'resource', 'currentVariant', 'selectedVariant', 'variantId', 'variant_id', 'id'];
  var SECTION = '.shopify-section';
  var blocks = [];
  var lastSearch = window.location.search;

  // Digits of a variant id; null: no variant; undefined: not an id.
  function toKey(id) {
    if (id === null || id === '') return null;
    if (id === undefined) return id;
    var match = String(id).match(/(\d+)\s*$/);
    return match ? match[1] : undefined;
  }

  function has(variants, key) {
    return typeof key === 'string' && Object.prototype.hasOwnProperty.call(variants, key);
  }

  function fill(template, name) {
    return String(template || '').split('[[name]]').join(name || '');
  }

  function each(list, fn) {
    for (var i = 0; i < list.length; i++) fn(list[i]);
  }

  function dataText(root) {
    var el = root.querySelector('script[data-passport-data]');
    return el ? el.textContent || '' : null;
  }

  function parseData(text) {
    try {
      var data = JSON.parse(text || '');
      return data && data.variants && typeof data.variants === 'object' ? data : null;
    } catch (e) {
      return null;
    }
  }

  function show(block, key) {
    if (block.current === key) return;
    var entry = block.data.variants[key] || {};
    var root = block.root;
    block.current = key;
    root.setAttribute('data-variant-id', key);
    if (entry.digitalLink) root.setAttribute('data-digital-link', entry.digitalLink);
    else root.removeAttribute('data-digital-link');

    if (!entry.url) {
      root.hidden = true;
      return;
    }
    each(root.querySelectorAll('[data-passport-link]'), function (link) {
      link.setAttribute('href', entry.url);
    });
    each(root.querySelectorAll('[data-passport-qr]'), function (img) {
      if (entry.qr) img.setAttribute('src', entry.qr);
      img.setAttribute('alt', fill(root.getAttribute('data-qr-alt'), entry.name));
    });
    each(root.querySelectorAll('[data-passport-context]'), function (el) {
      el.textContent = fill(root.getAttribute('data-link-context'), entry.name);
    });
    root.hidden = false;

    var event;
    try {
      event = new CustomEvent('passport:variant', {
        bubbles: true,
        detail: { variantId: key, url: entry.url, digitalLink: entry.digitalLink || null },
      });
    } catch (e) {
      return;
    }
    root.dispatchEvent(event);
  }

  function hide(block) {
    var root = block.root;
    block.current = null;
    root.removeAttribute('data-variant-id');
    root.removeAttribute('data-digital-link');
    root.hidden = true;
  }

  // origin: 'own' (the block's section), 'other' (another section) or 'page'.
  function select(block, key, origin) {
    if (has(block.data.variants, key)) {
      show(block, key);
      return;
    }
    // key === current: Liquid rendered it (past the 250 in the JSON).
    if (key !== null && key === block.current) return;
    if (origin === 'own' || (origin === 'page' && key !== null && !block.complete)) hide(block);
  }

  function originOf(block, node) {
    if (!node || node.nodeType !== 1 || typeof node.closest !== 'function') return 'page';
    var scope = block.root.closest(SECTION) || block.root;
    if (scope.contains(node) || (node.form && scope.contains(node.form))) return 'own';
    return node.closest(SECTION) ? 'other' : 'page';
  }

  function eachBlock(fn) {
    blocks = blocks.filter(function (block) {
      return document.documentElement.contains(block.root);
    });
    each(blocks, fn);
  }

  function selectFrom(node, key) {
    eachBlock(function (block) {
      select(block, key, originOf(block, node));
    });
  }

  function variantFromSearch(search) {
    try {
      return new URLSearchParams(search).get('variant');
    } catch (e) {
      return null;
    }
  }

  // Also for a block seen before: when the theme changed its JSON in place,
  // re-read it and show the variant Liquid rendered (data-variant-id).
  function init(root) {
    var seen = root.__passportBlock;
    var text = dataText(root);
    if (seen && seen.text === text) {
      if (blocks.indexOf(seen) < 0) blocks.push(seen);
      return;
    }
    blocks = blocks.filter(function (other) {
      return other !== seen;
    });
    root.__passportBlock = null;
    var data = parseData(text);
    if (!data) return;
    var key = toKey(root.getAttribute('data-variant-id')) || null;
    var block = { root: root, text: text, data: data, complete: data.complete !== false, current: key };
    root.__passportBlock = block;
    blocks.push(block);
    // A new block follows ?variant=; a re-read one shows data-variant-id again.
    if (!seen) key = toKey(variantFromSearch(window.location.search));
    else if (has(data.variants, key)) block.current = null;
    if (has(data.variants, key)) show(block, key);
  }

  function scan(scope) {
    var base = scope && scope.querySelectorAll ? scope : document;
    if (base.matches && base.matches('[data-passport-block]')) init(base);
    each(base.querySelectorAll('[data-passport-block]'), init);
  }

  function checkUrl() {
    if (window.location.search === lastSearch) return;
    var before = toKey(variantFromSearch(lastSearch));
    lastSearch = window.location.search;
    var key = toKey(variantFromSearch(lastSearch));
    if (key === undefined || key === before) return;
    eachBlock(function (block) {
      var follows = typeof before === 'string' && (block.current === before || has(block.data.variants, before));
      select(block, key, follows ? 'own' : 'page');
    });
  }

  // null: the detail says "no variant"; undefined: it says nothing.
  function variantFromDetail(detail) {
    if (detail === null || detail === undefined) return undefined;
    if (typeof detail !== 'object') return detail;
    var none = false;
    for (var i = 0; i < DETAIL_FIELDS.length; i++) {
      var value = detail[DETAIL_FIELDS[i]];
      if (value && typeof value === 'object') value = value.id;
      if (typeof value === 'number' || (typeof value === 'string' && value !== '')) return value;
      if (value === null || value === '') none = true;
    }
    return none ? null : undefined;
  }

  function onVariantEvent(event) {
    var key;
    try {
      key = toKey(variantFromDetail(event.detail));
    } catch (e) {
      return;
    }
    if (key !== undefined) selectFrom(event.target, key);
  }

  function onChange(event) {
    var target = event.target;
    if (!target || target.name !== 'id') return;
    var tag = String(target.tagName || '').toUpperCase();
    if (tag !== 'INPUT' && tag !== 'SELECT') return;
    if (target.type === 'radio' && !target.checked) return;
    var key = toKey(target.value);
    if (key !== undefined) selectFrom(target, key);
    // Themes often rewrite the URL right after the form change.
    setTimeout(checkUrl, 0);
  }

  function wrapHistory(method) {
    var history = window.history;
    var original = history && history[method];
    if (typeof original !== 'function' || original.__passportWrapped) return;
    var wrapped = function () {
      var result = original.apply(this, arguments);
      setTimeout(checkUrl, 0);
      return result;
    };
    wrapped.__passportWrapped = true;
    try {
      history[method] = wrapped;
    } catch (e) {
      /* read-only: the other sources still work */
    }
  }

  function onMutations(records) {
    each(records, function (record) {
      // Inside a block: the theme may have replaced its JSON.
      var node = record.target;
      if (node && node.nodeType !== 1) node = node.parentNode;
      var root = node && typeof node.closest === 'function' ? node.closest('[data-passport-block]') : null;
      if (root) init(root);
      // Blocks added later (theme editor, re-rendered sections).
      each(record.addedNodes, function (added) {
        if (added.nodeType === 1) scan(added);
      });
    });
  }

  function start() {
    scan(document);

    // Capture phase on window sees events dispatched on any element,
    // including ones that do not bubble.
    window.addEventListener('change', onChange, true);
    each(EVENTS, function (name) {
      window.addEventListener(name, onVariantEvent, true);
    });
    window.addEventListener('popstate', checkUrl);
    wrapHistory('pushState');
    wrapHistory('replaceState');

    if (typeof MutationObserver === 'function' && document.body) {
      new MutationObserver(onMutations).observe(document.body, { childList: true, characterData: true, subtree: true });
    }
  }

  window.PassportBlock = {
    scan: scan,
    select: function (id) {
      var key = toKey(id);
      if (key !== undefined) selectFrom(null, key);
    },
  };

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
