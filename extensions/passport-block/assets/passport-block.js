/*
 * Passport: keeps the Digital Product Passport block in step with the
 * variant the shopper selects. No framework; every hook is optional.
 *
 * Variant sources (any of them is enough):
 *  - the ?variant= query parameter (history.pushState/replaceState, popstate)
 *  - "change" events from a product form's [name="id"] input or select
 *  - custom events such as variant:change / variant:changed / variant:update
 *    whose detail carries the variant (or its id)
 * Ids that are not variants of this block's product are ignored, so other
 * product forms on the page (quick add, featured product) cannot interfere.
 */
(function () {
  'use strict';

  if (window.PassportBlock && typeof window.PassportBlock.scan === 'function') {
    window.PassportBlock.scan();
    return;
  }

  var EVENTS = [
    'variant:change',
    'variant:changed',
    'variant:update',
    'variantChange',
    'variant-change',
    'on:variant:change',
  ];
  var blocks = [];
  var lastSearch = window.location.search;

  function toKey(id) {
    if (id === null || id === undefined || id === '') return null;
    var match = String(id).match(/(\d+)\s*$/);
    return match ? match[1] : null;
  }

  function fill(template, name) {
    return String(template || '').split('[[name]]').join(name || '');
  }

  function each(list, fn) {
    for (var i = 0; i < list.length; i++) fn(list[i]);
  }

  function readData(root) {
    var el = root.querySelector('script[data-passport-data]');
    if (!el) return null;
    try {
      var data = JSON.parse(el.textContent || '');
      return data && data.variants && typeof data.variants === 'object' ? data : null;
    } catch (e) {
      return null;
    }
  }

  function apply(block, id) {
    var key = toKey(id);
    var variants = block.data.variants;
    if (!key || !Object.prototype.hasOwnProperty.call(variants, key)) return;
    if (block.current === key) return;
    var entry = variants[key] || {};
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

  function applyAll(id) {
    if (toKey(id) === null) return;
    blocks = blocks.filter(function (block) {
      return document.documentElement.contains(block.root);
    });
    each(blocks, function (block) {
      apply(block, id);
    });
  }

  function variantFromUrl() {
    try {
      return new URLSearchParams(window.location.search).get('variant');
    } catch (e) {
      return null;
    }
  }

  function init(root) {
    if (root.__passportBlock) return;
    var data = readData(root);
    if (!data) return;
    var block = { root: root, data: data, current: toKey(root.getAttribute('data-variant-id')) };
    root.__passportBlock = block;
    blocks.push(block);
    var fromUrl = variantFromUrl();
    if (fromUrl) apply(block, fromUrl);
  }

  function scan(scope) {
    var base = scope && scope.querySelectorAll ? scope : document;
    if (base.matches && base.matches('[data-passport-block]')) init(base);
    each(base.querySelectorAll('[data-passport-block]'), init);
  }

  function checkUrl() {
    if (window.location.search === lastSearch) return;
    lastSearch = window.location.search;
    var id = variantFromUrl();
    if (id) applyAll(id);
  }

  function variantFromDetail(detail) {
    if (detail === null || detail === undefined) return null;
    if (typeof detail !== 'object') return detail;
    var candidates = [detail.variant, detail.resource, detail.currentVariant, detail.selectedVariant];
    for (var i = 0; i < candidates.length; i++) {
      var value = candidates[i];
      if (value && typeof value === 'object' && value.id !== undefined) return value.id;
      if (typeof value === 'number' || typeof value === 'string') return value;
    }
    if (detail.variantId !== undefined) return detail.variantId;
    if (detail.variant_id !== undefined) return detail.variant_id;
    return detail.id !== undefined ? detail.id : null;
  }

  function onVariantEvent(event) {
    var id = null;
    try {
      id = variantFromDetail(event.detail);
    } catch (e) {
      id = null;
    }
    if (id !== null) applyAll(id);
  }

  function onChange(event) {
    var target = event.target;
    if (!target || target.name !== 'id') return;
    var tag = String(target.tagName || '').toUpperCase();
    if (tag !== 'INPUT' && tag !== 'SELECT') return;
    if (target.type === 'radio' && !target.checked) return;
    applyAll(target.value);
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
      /* read-only history: the other sources still work */
    }
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

    // Blocks added later: theme editor reloads, sections re-rendered by the theme.
    if (typeof MutationObserver === 'function' && document.body) {
      new MutationObserver(function (records) {
        each(records, function (record) {
          each(record.addedNodes, function (node) {
            if (node.nodeType === 1) scan(node);
          });
        });
      }).observe(document.body, { childList: true, subtree: true });
    }
  }

  window.PassportBlock = { scan: scan, select: applyAll };

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
