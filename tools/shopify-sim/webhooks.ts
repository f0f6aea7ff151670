// Webhook deliveries to the app, signed and retried like Shopify's, with test controls
// (hold and release out of order, delay, resend as a duplicate) and a delivery log.
import { createHmac, randomUUID } from "node:crypto";
import {
  API_VERSION,
  WEIGHT_UNIT_TO_REST,
  gid,
  weightToGrams,
  type ProductRecord,
} from "./model.ts";
import type { ShopState } from "./store.ts";

export type DeliveryStatus = "held" | "pending" | "delivered" | "failed" | "skipped";

export interface DeliveryAttempt {
  at: string;
  status: number | null;
  error?: string;
  durationMs: number;
}

export interface WebhookDelivery {
  /** Simulator-local id of this delivery (use it to resend). */
  id: string;
  /** X-Shopify-Webhook-Id: the same on a resent duplicate. */
  webhookId: string;
  /** X-Shopify-Event-Id. */
  eventId: string;
  topic: string;
  shop: string;
  url: string | null;
  body: string;
  hmac: string;
  triggeredAt: string;
  createdAt: string;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  duplicateOf: string | null;
}

export interface WebhookSettings {
  retries: number;
  retryBaseMs: number;
  timeoutMs: number;
  delayMs: number;
}

export type ReleaseOrder = "fifo" | "reverse" | "shuffle";

export class WebhookDispatcher {
  readonly log: WebhookDelivery[] = [];
  private held: WebhookDelivery[] = [];
  private inFlight = new Set<Promise<void>>();
  private holding = false;
  private seq = 0;
  private closed = false;

  /** Topics the app subscribes to; null = every topic. Others are logged as "skipped". */
  topics: string[] | null = null;

  constructor(
    private readonly getAppUrl: () => string | null,
    private readonly secret: () => string,
    readonly settings: WebhookSettings,
    private readonly onDelivered: (d: WebhookDelivery) => void = () => {},
    private readonly logLine: (line: string) => void = () => {},
  ) {}

  /** Queues a webhook for a topic; the body is serialized now (a snapshot, like Shopify's). */
  enqueue(shop: string, topic: string, payload: unknown, triggeredAt = new Date()): WebhookDelivery {
    const body = JSON.stringify(payload);
    const subscribed = !this.topics || this.topics.includes(topic);
    const appUrl = subscribed ? this.getAppUrl() : null;
    const delivery: WebhookDelivery = {
      id: `wh_${++this.seq}`,
      webhookId: randomUUID(),
      eventId: randomUUID(),
      topic,
      shop,
      url: appUrl ? `${appUrl.replace(/\/+$/, "")}/webhooks/${topic}` : null,
      body,
      hmac: createHmac("sha256", this.secret()).update(body, "utf8").digest("base64"),
      triggeredAt: triggeredAt.toISOString(),
      createdAt: new Date().toISOString(),
      status: appUrl ? "pending" : "skipped",
      attempts: [],
      duplicateOf: null,
    };
    this.log.push(delivery);
    this.dispatch(delivery);
    return delivery;
  }

  /** Sends a delivered (or failed) webhook again: same webhook id, event id and body. */
  resend(deliveryId: string): WebhookDelivery {
    const original = this.log.find((d) => d.id === deliveryId);
    if (!original) throw new Error(`No webhook delivery ${deliveryId}`);
    const appUrl = this.getAppUrl();
    const copy: WebhookDelivery = {
      ...original,
      id: `wh_${++this.seq}`,
      url: appUrl ? `${appUrl.replace(/\/+$/, "")}/webhooks/${original.topic}` : null,
      createdAt: new Date().toISOString(),
      status: appUrl ? "pending" : "skipped",
      attempts: [],
      duplicateOf: original.id,
    };
    this.log.push(copy);
    this.dispatch(copy);
    return copy;
  }

  private dispatch(delivery: WebhookDelivery): void {
    if (delivery.status === "skipped" || this.closed) return;
    if (this.holding) {
      delivery.status = "held";
      this.held.push(delivery);
      return;
    }
    this.track(this.deliver(delivery));
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** Holds new deliveries until release (to deliver them late or out of order). */
  hold(): void {
    this.holding = true;
  }

  /** Releases held deliveries one after another in the given order; resolves when all are done. */
  async release(order: ReleaseOrder = "fifo"): Promise<WebhookDelivery[]> {
    this.holding = false;
    const batch = this.held.splice(0);
    if (order === "reverse") batch.reverse();
    if (order === "shuffle") {
      for (let i = batch.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [batch[i], batch[j]] = [batch[j]!, batch[i]!];
      }
    }
    const run = (async () => {
      for (const d of batch) {
        d.status = "pending";
        await this.deliver(d);
      }
    })();
    this.track(run);
    await run;
    return batch;
  }

  get isHolding(): boolean {
    return this.holding;
  }

  get heldCount(): number {
    return this.held.length;
  }

  private async deliver(d: WebhookDelivery): Promise<void> {
    if (this.settings.delayMs > 0) await sleep(this.settings.delayMs);
    const headers: Record<string, string> = {
      "Content-Type": "application/json",
      "User-Agent": "Shopify-Captain-Hook",
      "X-Shopify-Topic": d.topic,
      "X-Shopify-Hmac-Sha256": d.hmac,
      "X-Shopify-Shop-Domain": d.shop,
      "X-Shopify-API-Version": API_VERSION,
      "X-Shopify-Webhook-Id": d.webhookId,
      "X-Shopify-Triggered-At": d.triggeredAt,
      "X-Shopify-Event-Id": d.eventId,
    };
    for (let attempt = 0; attempt <= this.settings.retries; attempt++) {
      if (this.closed) return;
      if (attempt > 0) await sleep(this.settings.retryBaseMs * 2 ** (attempt - 1));
      const started = Date.now();
      try {
        const res = await fetch(d.url!, {
          method: "POST",
          headers,
          body: d.body,
          signal: AbortSignal.timeout(this.settings.timeoutMs),
        });
        await res.arrayBuffer().catch(() => undefined);
        d.attempts.push({ at: new Date(started).toISOString(), status: res.status, durationMs: Date.now() - started });
        if (res.ok) {
          d.status = "delivered";
          this.onDelivered(d);
          this.logLine(`webhook ${d.topic} → ${d.url} ${res.status}`);
          return;
        }
        this.logLine(`webhook ${d.topic} → ${d.url} ${res.status} (attempt ${attempt + 1})`);
      } catch (error) {
        d.attempts.push({
          at: new Date(started).toISOString(),
          status: null,
          error: (error as Error).message,
          durationMs: Date.now() - started,
        });
        this.logLine(`webhook ${d.topic} → ${d.url} failed: ${(error as Error).message} (attempt ${attempt + 1})`);
      }
    }
    d.status = "failed";
  }

  /** Resolves when no delivery is in flight (held ones do not count). */
  async idle(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight.size > 0) {
      if (Date.now() > deadline) throw new Error(`webhooks still in flight after ${timeoutMs} ms`);
      await Promise.race([Promise.allSettled([...this.inFlight]), sleep(Math.max(1, deadline - Date.now()))]);
    }
  }

  close(): void {
    this.closed = true;
    this.held = [];
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------
// Payloads (REST resource shapes, as Shopify's webhooks send them)

/** REST timestamps carry an offset: 2025-01-15T09:00:00+00:00. */
export function restTime(iso: string | null): string | null {
  return iso ? iso.replace(/Z$/, "+00:00") : null;
}

/** Variants a product webhook carries in full (Shopify, API 2024-04 on); variant_gids lists all. */
export const WEBHOOK_VARIANTS = 100;

export function restProduct(p: ProductRecord): Record<string, unknown> {
  const images = p.images.map((img) => ({
    id: img.imageId,
    alt: img.altText,
    position: img.position,
    product_id: p.id,
    created_at: restTime(img.createdAt),
    updated_at: restTime(img.updatedAt),
    admin_graphql_api_id: gid("ProductImage", img.imageId),
    width: img.width,
    height: img.height,
    src: img.url,
    variant_ids: p.variants.filter((v) => v.imageId === img.id).map((v) => v.id),
  }));
  return {
    id: p.id,
    title: p.title,
    body_html: p.descriptionHtml,
    vendor: p.vendor,
    product_type: p.productType,
    created_at: restTime(p.createdAt),
    handle: p.handle,
    updated_at: restTime(p.updatedAt),
    published_at: restTime(p.publishedAt),
    template_suffix: null,
    published_scope: "global",
    tags: p.tags.join(", "),
    status: p.status.toLowerCase(),
    admin_graphql_api_id: gid("Product", p.id),
    // As Shopify's: the first 100 variants in full, every variant's id in variant_gids.
    variants: p.variants.slice(0, WEBHOOK_VARIANTS).map((v) => {
      const grams = v.weight ? Math.round(weightToGrams(v.weight)) : 0;
      return {
        admin_graphql_api_id: gid("ProductVariant", v.id),
        barcode: v.barcode,
        compare_at_price: v.compareAtPrice,
        created_at: restTime(v.createdAt),
        id: v.id,
        inventory_policy: "deny",
        position: v.position,
        price: v.price,
        product_id: p.id,
        sku: v.sku,
        taxable: v.taxable,
        title: v.title,
        updated_at: restTime(v.updatedAt),
        option1: v.optionValues[0] ?? null,
        option2: v.optionValues[1] ?? null,
        option3: v.optionValues[2] ?? null,
        image_id: v.imageId ? (p.images.find((i) => i.id === v.imageId)?.imageId ?? null) : null,
        inventory_item_id: v.inventoryItemId,
        inventory_quantity: v.inventoryQuantity,
        old_inventory_quantity: v.inventoryQuantity,
        grams,
        weight: v.weight ? v.weight.value : 0,
        weight_unit: v.weight ? WEIGHT_UNIT_TO_REST[v.weight.unit] : "g",
      };
    }),
    options: p.options.map((o) => ({
      name: o.name,
      id: o.id,
      product_id: p.id,
      position: o.position,
      values: o.values.map((v) => v.name),
    })),
    images,
    image: images[0] ?? null,
    media: p.images.map((img) => ({
      id: img.id,
      product_id: p.id,
      position: img.position,
      created_at: restTime(img.createdAt),
      updated_at: restTime(img.updatedAt),
      alt: img.altText,
      status: "READY",
      media_content_type: "IMAGE",
      preview_image: { width: img.width, height: img.height, src: img.url, status: "READY" },
      variant_ids: p.variants.filter((v) => v.imageId === img.id).map((v) => v.id),
      admin_graphql_api_id: gid("MediaImage", img.id),
    })),
    variant_gids: p.variants.map((v) => ({
      admin_graphql_api_id: gid("ProductVariant", v.id),
      updated_at: v.updatedAt.replace(/Z$/, ".000Z"),
    })),
    has_variants_that_requires_components: false,
    category: p.category
      ? { admin_graphql_api_id: p.category.id, name: p.category.name, full_name: p.category.fullName }
      : null,
  };
}

export function restShop(shop: ShopState): Record<string, unknown> {
  return {
    id: shop.id,
    name: shop.name,
    email: shop.email,
    domain: shop.domain,
    province: null,
    country: "DE",
    address1: null,
    zip: null,
    city: null,
    source: null,
    phone: null,
    latitude: null,
    longitude: null,
    primary_locale: "en",
    address2: null,
    created_at: restTime(shop.createdAt),
    updated_at: restTime(shop.createdAt),
    country_code: "DE",
    country_name: "Germany",
    currency: shop.currencyCode,
    customer_email: shop.email,
    timezone: "(GMT+00:00) UTC",
    iana_timezone: "UTC",
    shop_owner: `${shop.name} Owner`,
    money_format: "€{{amount_with_comma_separator}}",
    money_with_currency_format: "€{{amount_with_comma_separator}} EUR",
    weight_unit: "kg",
    province_code: null,
    taxes_included: true,
    tax_shipping: null,
    county_taxes: true,
    plan_display_name: "Development",
    plan_name: "partner_test",
    has_discounts: false,
    has_gift_cards: false,
    myshopify_domain: shop.domain,
    google_apps_domain: null,
    google_apps_login_enabled: null,
    money_in_emails_format: "€{{amount_with_comma_separator}}",
    money_with_currency_in_emails_format: "€{{amount_with_comma_separator}} EUR",
    eligible_for_payments: true,
    requires_extra_payments_agreement: false,
    password_enabled: true,
    has_storefront: true,
    finances: true,
    primary_location_id: null,
    checkout_api_supported: true,
    multi_location_enabled: true,
    setup_required: false,
    pre_launch_enabled: false,
    enabled_presentment_currencies: [shop.currencyCode],
  };
}
