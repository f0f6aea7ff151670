import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";

/** Shopify opens the app at / with ?shop=…: go to the embedded admin. Anyone else gets a short description. */
export const loader = ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  if (url.searchParams.get("shop")) throw redirect(`/app?${url.searchParams.toString()}`);
  return null;
};

export default function Landing() {
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", maxWidth: 640, margin: "4rem auto", padding: "0 1rem", lineHeight: 1.5 }}>
      <h1>Passport</h1>
      <p>Digital Product Passports for Shopify brands: every variant gets a public passport page, a UNTP JSON-LD credential, a GS1 Digital Link and a QR code.</p>
      <p>Install Passport from the Shopify App Store and open it from your Shopify admin.</p>
    </main>
  );
}
