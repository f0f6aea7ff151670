// A shop's handle: `brand` for brand.myshopify.com. It names the shop in public URLs and in the
// names of downloaded files, and stands in for the shop's name until Shopify has told us one.

/**
 * A shop's myshopify handle, or the whole domain for a shop that has none. Handles are unique on
 * Shopify, never change and need no lookup; the shop's display name can change and is not unique.
 */
export function shopHandle(shop: string): string {
  return shop.replace(/\.myshopify\.com$/, "");
}

/** The shop a path segment names (the inverse of `shopHandle`), or null when it cannot be one. */
export function shopFromHandle(segment: string): string | null {
  const handle = segment.toLowerCase();
  if (!/^[a-z0-9][a-z0-9.-]{0,254}$/.test(handle)) return null;
  return handle.includes(".") ? handle : `${handle}.myshopify.com`;
}
