// Fixed test credentials (never used outside tests).
export const TEST_API_KEY = "passport-test-api-key";
export const TEST_API_SECRET = "passport-test-api-secret-0123456789";
export const TEST_ENCRYPTION_KEY = "7f3c2a9b1e4d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8";
export const TEST_SHOP = "passport-test.myshopify.com";
export const OTHER_SHOP = "other-brand.myshopify.com";
