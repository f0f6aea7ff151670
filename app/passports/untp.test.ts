import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildPassportContent, type PassportContent } from "./content";
import { fullSource, minimalSource } from "./test-fixtures";
import { buildUntpCredential, didWebFromUrl, validateUntpCredential, type UntpMeta } from "./untp";

const PASSPORT_URL = "https://passport.example.com/p/p_abc123";

function meta(overrides: Partial<UntpMeta> = {}): UntpMeta {
  return {
    publicId: "p_abc123",
    version: 3,
    versionCreatedAt: new Date("2025-05-01T10:20:30.456Z"),
    passportUrl: PASSPORT_URL,
    digitalLinkUrl: "https://passport.example.com/01/04006381333931",
    issuer: { name: "Acme Apparel", id: "did:web:passport.example.com" },
    ...overrides,
  };
}

function expectValid(credential: unknown): void {
  const result = validateUntpCredential(credential);
  expect(result.errors).toEqual([]);
  expect(result.valid).toBe(true);
}

const full = () => buildPassportContent(fullSource());

describe("links the catalog took raw (spaces, non-ASCII, \"|\")", () => {
  function sourceWith(imageUrl: string, certificateUrl: string) {
    const source = fullSource();
    source.product.values.images = [{ url: imageUrl, alt: "Blouse" }];
    source.product.values.certifications = [{ name: "GOTS", url: certificateUrl }];
    return source;
  }

  it("gives a credential that validates and keeps the image and the certificate link", () => {
    const cases: [string, string, string, string][] = [
      ["https://cdn.shopify.com/files/Bluse_grün.jpg", "https://certs.example.com/prüfung/1", "https://cdn.shopify.com/files/Bluse_gr%C3%BCn.jpg", "https://certs.example.com/pr%C3%BCfung/1"],
      ["https://cdn.example.com/My Shirt.jpg", "https://certs.example.com/GOTS 2025.pdf", "https://cdn.example.com/My%20Shirt.jpg", "https://certs.example.com/GOTS%202025.pdf"],
      ["https://cdn.example.com/a|b.jpg", "https://certs.example.com/c?id={1}|2", "https://cdn.example.com/a%7Cb.jpg", "https://certs.example.com/c?id=%7B1%7D%7C2"],
    ];
    for (const [image, certificate, imageUri, certificateUri] of cases) {
      const credential = buildUntpCredential(buildPassportContent(sourceWith(image, certificate)), meta());
      expectValid(credential);
      expect(credential.credentialSubject.product.productImage).toEqual({ linkURL: imageUri, linkName: "Blouse", linkType: "https://gs1.org/voc/relatedImage" });
      expect(credential.credentialSubject.conformityClaim?.[0].conformityEvidence).toEqual({
        linkURL: certificateUri,
        linkName: "GOTS",
        linkType: "https://gs1.org/voc/certificationInfo",
      });
    }
  });

  it("validates for a version stored before URLs were normalized (its content holds them raw)", () => {
    const content: PassportContent = {
      ...full(),
      image: { url: "https://cdn.example.com/a|b.jpg" },
      certifications: [{ name: "GOTS", url: "https://certs.example.com/prüfung/1" }, { name: "Odd host", url: "https://certs{1}.example.com/x" }],
    };
    const credential = buildUntpCredential(content, meta());
    expectValid(credential);
    expect(credential.credentialSubject.product.productImage?.linkURL).toBe("https://cdn.example.com/a%7Cb.jpg");
    const claims = credential.credentialSubject.conformityClaim ?? [];
    expect(claims[0].conformityEvidence?.linkURL).toBe("https://certs.example.com/pr%C3%BCfung/1");
    // A link no escaping makes a "uri" is left out, the claim kept.
    expect(claims[1].description).toBe("Certified: Odd host");
    expect(claims[1].conformityEvidence).toBeUndefined();
  });
});

describe("buildUntpCredential", () => {
  it("wraps the passport in a UNTP DPP 0.6.1 verifiable credential envelope", () => {
    const credential = buildUntpCredential(full(), meta());
    expect(credential["@context"]).toEqual(["https://www.w3.org/ns/credentials/v2", "https://test.uncefact.org/vocabulary/untp/dpp/0.6.1/"]);
    expect(credential.type).toEqual(["DigitalProductPassport", "VerifiableCredential"]);
    expect(credential.id).toBe(`${PASSPORT_URL}#credential-v3`);
    expect(credential.issuer).toEqual({ type: ["CredentialIssuer"], id: "did:web:passport.example.com", name: "Acme Apparel" });
    expect(credential.validFrom).toBe("2025-05-01T10:20:30Z");
    expect(credential.credentialSubject.type).toEqual(["ProductPassport"]);
    expect(credential.credentialSubject.granularityLevel).toBe("model");
    expect(buildUntpCredential(full(), meta({ credentialUrl: "https://passport.example.com/p/p_abc123/v/3.jsonld" })).id).toBe(
      "https://passport.example.com/p/p_abc123/v/3.jsonld",
    );
  });

  it("maps the product: GS1 identity, name with variant, image, description, parties, origin, weight", () => {
    const { product } = buildUntpCredential(full(), meta()).credentialSubject;
    expect(product).toEqual({
      type: ["Product"],
      id: "https://passport.example.com/01/04006381333931",
      registeredId: "04006381333931",
      idScheme: { type: ["IdentifierScheme"], id: "https://id.gs1.org/01/", name: "Global Trade Item Number (GTIN)" },
      name: "Organic Cotton T-Shirt – M / White",
      productImage: {
        linkURL: "https://cdn.shopify.com/s/files/1/tee-front.jpg",
        linkName: "White T-shirt, front view",
        linkType: "https://gs1.org/voc/relatedImage",
      },
      description: "Soft & breathable.\n\n• Organic cotton\n• Recycled polyester",
      furtherInformation: [
        { linkURL: PASSPORT_URL, linkName: "Digital Product Passport", linkType: "https://gs1.org/voc/pip" },
        { linkURL: `${PASSPORT_URL}#care`, linkName: "Care instructions", linkType: "https://gs1.org/voc/instructions" },
      ],
      producedByParty: { id: `${PASSPORT_URL}#manufacturer`, name: "Fábrica Têxtil Lda" },
      producedAtFacility: { id: `${PASSPORT_URL}#facility`, name: "Fábrica Têxtil, Guimarães" },
      countryOfProduction: "PT",
      dimensions: { weight: { value: 185, unit: "GRM" } },
    });
  });

  it("uses the GS1 resolver as product id when no Digital Link URL is given", () => {
    const { product } = buildUntpCredential(full(), meta({ digitalLinkUrl: undefined })).credentialSubject;
    expect(product.id).toBe("https://id.gs1.org/01/04006381333931");
  });

  it("identifies a product without GTIN by its passport URL in the issuer's scheme", () => {
    const content: PassportContent = { ...full(), gtin: undefined };
    const { product } = buildUntpCredential(content, meta({ digitalLinkUrl: undefined })).credentialSubject;
    expect(product.id).toBe(PASSPORT_URL);
    expect(product.registeredId).toBe("p_abc123");
    expect(product.idScheme).toEqual({ type: ["IdentifierScheme"], id: "did:web:passport.example.com", name: "Acme Apparel passport identifiers" });
  });

  it("maps materials as mass fractions 0–1 with recycled share and origin country", () => {
    const { materialsProvenance } = buildUntpCredential(full(), meta()).credentialSubject;
    expect(materialsProvenance).toEqual([
      { name: "Organic cotton", originCountry: "IN", massFraction: 0.65, recycledMassFraction: 0 },
      { name: "Recycled polyester", originCountry: "TW", massFraction: 0.3, recycledMassFraction: 1 },
      { name: "Elastane", massFraction: 0.05 },
    ]);
    for (const m of materialsProvenance ?? []) {
      expect(m.massFraction).toBeGreaterThanOrEqual(0);
      expect(m.massFraction).toBeLessThanOrEqual(1);
    }
  });

  it("states the recycled content of the product only when every material's recycled share is known", () => {
    expect(buildUntpCredential(full(), meta()).credentialSubject.circularityScorecard?.recycledContent).toBeUndefined();
    const content = full();
    content.materials = content.materials!.map((m) => ({ ...m, recycledPercent: m.recycledPercent ?? 0 }));
    expect(buildUntpCredential(content, meta()).credentialSubject.circularityScorecard?.recycledContent).toBe(0.3);
  });

  it("links repair and recycling information to the passport page sections", () => {
    expect(buildUntpCredential(full(), meta()).credentialSubject.circularityScorecard).toEqual({
      recyclingInformation: { linkURL: `${PASSPORT_URL}#recycling`, linkName: "Recycling information", linkType: "https://gs1.org/voc/sustainabilityInfo" },
      repairInformation: { linkURL: `${PASSPORT_URL}#repair`, linkName: "Repair information", linkType: "https://gs1.org/voc/instructions" },
    });
  });

  it("reports the carbon footprint per item over the life cycle", () => {
    expect(buildUntpCredential(full(), meta()).credentialSubject.emissionsScorecard).toEqual({
      carbonFootprint: 4.2,
      declaredUnit: "EA",
      operationalScope: "CradleToGrave",
      primarySourcedRatio: 0,
    });
  });

  it("turns certifications into conformity claims and water use into a declared value", () => {
    const claims = buildUntpCredential(full(), meta()).credentialSubject.conformityClaim;
    expect(claims).toEqual([
      {
        type: ["Claim", "Declaration"],
        id: `${PASSPORT_URL}#certification-1`,
        description: "Certified: GOTS; certifying body: Control Union; valid until 2027-06-30",
        conformance: true,
        conformityTopic: "governance.compliance",
        conformityEvidence: { linkURL: "https://certificates.example.org/gots/123", linkName: "GOTS", linkType: "https://gs1.org/voc/certificationInfo" },
      },
      {
        type: ["Claim", "Declaration"],
        id: `${PASSPORT_URL}#certification-2`,
        description: "Certified: OEKO-TEX Standard 100",
        conformance: true,
        conformityTopic: "governance.compliance",
      },
      {
        type: ["Claim", "Declaration"],
        id: `${PASSPORT_URL}#water-use`,
        description: "Self-declared water use to make one item; not assessed against a standard.",
        declaredValue: [{ metricName: "Water use", metricValue: { value: 2700, unit: "LTR" } }],
        conformance: true,
        conformityTopic: "environment.water",
      },
    ]);
  });

  it("declares non-conformance for a certificate that had expired when the version was issued", () => {
    const content = full();
    content.certifications = [{ name: "Old certificate", validUntil: "2025-04-30" }, { name: "Same day", validUntil: "2025-05-01" }];
    const claims = buildUntpCredential(content, meta()).credentialSubject.conformityClaim!;
    expect(claims.map((c) => c.conformance)).toEqual([false, true, true]);
  });

  it("leaves out everything a minimal product does not have", () => {
    const credential = buildUntpCredential(buildPassportContent(minimalSource()), meta({ digitalLinkUrl: undefined }));
    expect(credential.credentialSubject).toEqual({
      type: ["ProductPassport"],
      product: {
        type: ["Product"],
        id: PASSPORT_URL,
        registeredId: "p_abc123",
        idScheme: { type: ["IdentifierScheme"], id: "did:web:passport.example.com", name: "Acme Apparel passport identifiers" },
        name: "Plain Scarf",
        furtherInformation: [{ linkURL: PASSPORT_URL, linkName: "Digital Product Passport", linkType: "https://gs1.org/voc/pip" }],
      },
      granularityLevel: "model",
    });
  });

  it("writes the texts in the requested locale, falling back to the shop's", () => {
    const german = buildUntpCredential(full(), meta({ locale: "de" })).credentialSubject.product;
    expect(german.name).toBe("Bio-Baumwoll-T-Shirt – M / White");
    expect(german.description).toBe("Weich & atmungsaktiv.");
    const french = buildUntpCredential(full(), meta({ locale: "fr-CA" })).credentialSubject.product;
    expect(french.name).toBe("T-shirt en coton bio – M / White");
    expect(french.description).toBe("Soft & breathable.\n\n• Organic cotton\n• Recycled polyester"); // no French description
  });

  it("is deterministic", () => {
    expect(JSON.stringify(buildUntpCredential(full(), meta()))).toBe(JSON.stringify(buildUntpCredential(full(), meta())));
  });
});

describe("validateUntpCredential", () => {
  it("accepts the example credential published with the standard", () => {
    const example = JSON.parse(readFileSync(new URL("./untp-dpp-0.6.1/untp-dpp-instance.json", import.meta.url), "utf8"));
    expectValid(example);
  });

  it("accepts credentials built from realistic passports", () => {
    const archived = fullSource();
    archived.product.archived = true;
    const noGtin = fullSource();
    delete noGtin.variant.values.barcode;
    const multilingual = fullSource();
    multilingual.shop.primaryLocale = "de";

    expectValid(buildUntpCredential(full(), meta()));
    expectValid(buildUntpCredential(buildPassportContent(minimalSource()), meta({ digitalLinkUrl: undefined })));
    expectValid(buildUntpCredential(buildPassportContent(noGtin), meta({ digitalLinkUrl: undefined })));
    expectValid(buildUntpCredential(buildPassportContent(archived), meta()));
    for (const locale of ["en", "de", "fr", "it", undefined]) {
      expectValid(buildUntpCredential(buildPassportContent(multilingual), meta({ locale })));
    }
    expectValid(buildUntpCredential(full(), meta({ issuer: { name: "Dev", id: didWebFromUrl("http://localhost:3000") } })));
  });

  it("rejects broken credentials with readable errors", () => {
    const good = () => JSON.parse(JSON.stringify(buildUntpCredential(full(), meta())));

    const noIssuer = good();
    delete noIssuer.issuer;
    expect(validateUntpCredential(noIssuer)).toEqual({ valid: false, errors: ["/ must have required property 'issuer'"] });

    const wrongContext = good();
    wrongContext["@context"] = ["https://www.w3.org/ns/credentials/v2"];
    expect(validateUntpCredential(wrongContext).valid).toBe(false);

    const wrongType = good();
    wrongType.type = ["VerifiableCredential"];
    expect(validateUntpCredential(wrongType).valid).toBe(false);

    const textFraction = good();
    textFraction.credentialSubject.materialsProvenance[0].massFraction = "65%";
    const result = validateUntpCredential(textFraction);
    expect(result.valid).toBe(false);
    expect(result.errors).toContain("/credentialSubject/materialsProvenance/0/massFraction must be number");

    const claimWithoutConformance = good();
    delete claimWithoutConformance.credentialSubject.conformityClaim[0].conformance;
    expect(validateUntpCredential(claimWithoutConformance).valid).toBe(false);

    const badTimestamp = good();
    badTimestamp.validFrom = "1 May 2025";
    expect(validateUntpCredential(badTimestamp).valid).toBe(false);

    expect(validateUntpCredential("not a credential").valid).toBe(false);
  });
});

describe("didWebFromUrl", () => {
  it("builds did:web identifiers from the passport base URL", () => {
    expect(didWebFromUrl("https://passport.example.com")).toBe("did:web:passport.example.com");
    expect(didWebFromUrl("https://example.com/passports/")).toBe("did:web:example.com:passports");
    expect(didWebFromUrl("http://localhost:3000")).toBe("did:web:localhost%3A3000");
  });
});
